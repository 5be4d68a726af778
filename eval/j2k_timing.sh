#!/usr/bin/env bash
# Times our JPEG 2000 decoder against OpenJPEG's opj_decompress on a synthetic 2048x2048 16-bit radiograph,
# lossless (5/3) and lossy (9/7, 10:1). Prints CPU seconds (user+sys) per decode for opj_decompress -threads 1 and
# process CPU / wall per decode for ours on 1 thread and on all cores (Release build, via the test harness
# Jpeg2000SpeedTests). Needs /usr/bin/python3 with numpy, opj_compress/opj_decompress and the .NET SDK.
# Usage: eval/j2k_timing.sh [workdir]   (run from the repository root; quote `uptime` before and after)
set -euo pipefail
dir=${1:-/tmp/reportgen-j2k-bench}
mkdir -p "$dir"
/usr/bin/python3 - "$dir" <<'PY'
import sys, numpy as np
rng = np.random.default_rng(5)
y, x = np.mgrid[0:2048, 0:2048]
v = 0.45 + 0.3 * np.sin(x / 300.0) * np.cos(y / 250.0) + 0.15 * (((x - 1100) ** 2 + (y - 900) ** 2) < 500 ** 2)
v += 0.05 * np.sin(x / 7.0) * np.sin(y / 11.0)
v = np.clip(np.round(v * 65535 * 0.8 + rng.normal(0, 300, v.shape)), 0, 65535).astype(">u2")
open(sys.argv[1] + "/dx16.pgm", "wb").write(b"P5\n2048 2048\n65535\n" + v.tobytes())
PY
opj_compress -i "$dir/dx16.pgm" -o "$dir/dx16_lossless.j2k" >/dev/null
opj_compress -i "$dir/dx16.pgm" -o "$dir/dx16_lossy.j2k" -I -r 10 >/dev/null
rm "$dir/dx16.pgm"
for f in dx16_lossless dx16_lossy; do
  for i in 1 2 3; do
    /usr/bin/time -f "opj_decompress -threads 1 $f.j2k: %U s user + %S s sys, %e s wall" \
      opj_decompress -threads 1 -i "$dir/$f.j2k" -o "$dir/out.rawl" 2>&1 >/dev/null | grep opj_decompress
  done
done
REPORTGEN_J2K_BENCH="$dir" dotnet test tests/ReportGen.Imaging.Tests -c Release --filter "FullyQualifiedName~Jpeg2000Speed" \
  --logger "console;verbosity=detailed" 2>&1 | grep "threads="
