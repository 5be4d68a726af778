#!/usr/bin/env bash
# The whole GPU check in one script, in two halves.
#
#   tools/gpu-check.sh pack [--sm N] [OUT_DIR]   (here, with the .NET SDK, the native cache and python3)
#     Publishes the CLI self-contained for linux-x64 (framework assemblies trimmed) with the CUDA llama.cpp
#     libraries (the pinned npm @node-llama-cpp/linux-x64-cuda build) and ONNX Runtime, keeps only the native
#     files `run` loads (see slim), adds the pinned llama.h (for the C reference of bench llm), the small models
#     the check needs and this script, and packs it all into OUT_DIR/reportgen-gpu-check.tar.xz (default OUT_DIR:
#     artifacts/gpu-check). Prints the sizes. Nothing on the GPU host needs .NET, npm or a registry.
#     --sm N keeps only the CUDA kernels a GPU of compute capability N can use (90: H100/H200, 80: A100,
#     89: L4/L40, 86: A10/RTX 30, 120: RTX 50): tools/cuda-fatbin-prune.py. The npm build holds every kernel
#     seven times, each copy already compressed, so without --sm the pack is about 160 MiB; with it, under 64 MiB.
#
#   ./gpu-check.sh run [RESULTS_DIR]    (on the GPU host, inside the unpacked folder)
#     doctor; a first generation on the GPU, timed (with a PTX-only pack the driver compiles the kernels then);
#     bench llm with every layer on the GPU (overhead vs the C reference when a C compiler is there, roofline
#     against the GPU's bandwidth, batching x1/x4/x8/x16); bench serve against llama-server when
#     REPORTGEN_LLAMA_SERVER names a CUDA build of it; the encoder on the CPU, and on the CUDA execution provider
#     when ORT_CUDA_PROVIDER_DIR holds libonnxruntime_providers_cuda.so; one log (+ JSON) per step in RESULTS_DIR
#     (default ./results). Needs the NVIDIA driver and the CUDA 13 runtime libraries the npm build links
#     (libcudart.so.13, libcublas.so.13): a line says which are missing. GPU_BANDWIDTH_GBS (data-sheet GB/s)
#     makes the roofline row a fraction of the GPU's bandwidth; TOKENS, REPEATS and ROOFLINE_MODEL (1gb|tiny)
#     size bench llm. Without a GPU the same run falls back to the CPU (that is how this half is tested here).
#
#   tools/gpu-check.sh slim APP_DIR     (part of pack; separate for its test)
#     Deletes from a publish folder what run never loads and strips symbols from the native libraries.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# The ggml CPU backends kept: ggml loads every libggml-cpu-*.so of the folder and picks the best the CPU runs;
# haswell (AVX2/FMA) serves every GPU server of the last ten years, sse42 anything older. The other twelve
# variants (AVX-512 flavours mostly) only matter for CPU inference.
cpu_variants="sse42 haswell"

slim() {
  local app="${1:?usage: gpu-check.sh slim APP_DIR}" f keep
  [ -d "$app/native/llama" ] || { echo "error: $app/native/llama not found: not a reportgen publish folder" >&2; return 2; }
  for f in "$app"/native/llama/*; do
    keep=0
    case "$(basename "$f")" in
      libllama.*.so|libggml.*.so|libggml-base.so|libggml-cuda.so|_nlcBuildMetadata.json) keep=1 ;;
      libggml-cpu-*.so) for v in $cpu_variants; do [ "$(basename "$f")" = "libggml-cpu-$v.so" ] && keep=1; done ;;
    esac
    # libllama-common.so and llama-addon.node serve node-llama-cpp's JavaScript binding only.
    [ "$keep" = 1 ] || rm -f "$f"
  done
  # The .NET runtime's debugging, tracing and alternative-GC libraries are loaded only on request.
  rm -f "$app"/createdump "$app"/libmscordaccore.so "$app"/libmscordbi.so "$app"/libcoreclrtraceptprovider.so \
        "$app"/libclrgc.so "$app"/libclrgcexp.so "$app"/*.pdb "$app"/*.xml
  # Symbol tables are for debuggers; the loader needs only the dynamic symbols strip keeps.
  if command -v strip >/dev/null 2>&1; then
    for f in "$app"/native/*/*.so*; do strip --strip-unneeded "$f" 2>/dev/null || true; done
  fi
}

pack() {
  local root out stage sm=""
  root="$(cd "$here/.." && pwd)"
  if [ "${1:-}" = "--sm" ]; then
    sm="${2:-}"; shift 2 || true
    [[ "$sm" =~ ^[0-9]+$ ]] || { echo "error: --sm takes a compute capability without the dot (e.g. 90 for H100/H200)" >&2; return 2; }
  fi
  out="${1:-$root/artifacts/gpu-check}"
  mkdir -p "$out" || return 1
  out="$(cd "$out" && pwd)"
  stage="$(mktemp -d "${TMPDIR:-/tmp}/reportgen-gpu-check-XXXXXX")/reportgen-gpu-check"
  mkdir -p "$stage/models" || return 1
  # libmtmd is built against the CPU libllama; the GPU check does not need it (drafting with mmproj sets is off).
  # Trimming (partial: only the framework's trimmable assemblies; ours and the packages' stay whole) halves the
  # managed part; JSON reflection stays on because the benches serialise anonymous objects.
  if ! nice -n 10 dotnet publish "$root/src/ReportGen.Cli" -c Release -r linux-x64 --self-contained \
        -p:ReportGenLlamaBackend=cuda -p:ReportGenMtmd=false \
        -p:PublishTrimmed=true -p:TrimMode=partial -p:SuppressTrimAnalysisWarnings=true -p:EnableTrimAnalyzer=false \
        -p:JsonSerializerIsReflectionEnabledByDefault=true \
        -o "$stage/app" -v q -nologo >"$out/publish.log" 2>&1; then
    echo "error: dotnet publish failed; see $out/publish.log" >&2; return 1
  fi
  slim "$stage/app" || return 1
  if [ -n "$sm" ]; then
    /usr/bin/env python3 "$here/cuda-fatbin-prune.py" "$stage/app/native/llama/libggml-cuda.so" "$sm" || return 1
  fi
  local headers
  headers=$(bash "$root/build/native/provision.sh" llama-headers) || { echo "error: the pinned llama.h could not be provisioned" >&2; return 1; }
  mkdir -p "$stage/llama-headers" && cp -r "$headers/include" "$headers/ggml" "$stage/llama-headers/"
  local shared="${REPORTGEN_SHARED:-$root/../shared}"
  for m in stories260K.gguf iu-xray-tiny-llama.gguf mobilenetv2-12-int8.onnx; do
    [ -f "$shared/models/$m" ] || { echo "error: $shared/models/$m is missing (set REPORTGEN_SHARED)" >&2; return 1; }
    cp "$shared/models/$m" "$stage/models/"
  done
  cp "$root/models/models.json" "$stage/models/"
  local image
  image=$(find "$shared/data/images" -maxdepth 1 -name '*.png' | sort | head -n 1)
  [ -n "$image" ] && cp "$image" "$stage/models/encoder-check.png"
  cp "$here/gpu-check.sh" "$stage/"
  if [ -n "$sm" ]; then echo "sm_$sm only (pack --sm $sm)"; else echo "every architecture of the npm build"; fi >"$stage/cuda-kernels.txt"
  # What the folder holds, for the record (the CUDA library dominates).
  (cd "$stage" && du -b app/native/llama/* app/native/onnxruntime/*; du -sb app app/native llama-headers models) >"$out/contents.txt"
  # xz -9e with a dictionary as large as the CUDA library; two threads at most, the machine is shared.
  tar -C "$(dirname "$stage")" -cf - reportgen-gpu-check \
    | nice -n 19 xz -T2 --lzma2=preset=9e,dict=192MiB >"$out/reportgen-gpu-check.tar.xz" || return 1
  rm -rf "$(dirname "$stage")"
  local packed unpacked
  packed=$(stat -c %s "$out/reportgen-gpu-check.tar.xz")
  unpacked=$(xz -l --robot "$out/reportgen-gpu-check.tar.xz" | awk '$1 == "totals" {print $5}')
  echo "packed $((packed / 1048576)) MiB ($packed bytes), unpacked $((unpacked / 1048576)) MiB: $out/reportgen-gpu-check.tar.xz"
  [ "$packed" -le $((64 * 1048576)) ] \
    || echo "note: over 64 MiB: the CUDA kernels of every architecture are ~123 MiB already compressed by nvcc; pack --sm N keeps one GPU's"
}

run() {
  local results="${1:-$PWD/results}" app="$here/app/reportgen"
  [ -x "$app" ] || { echo "error: $app not found: run this inside the unpacked reportgen-gpu-check folder" >&2; return 2; }
  mkdir -p "$results" && results="$(cd "$results" && pwd)"
  export REPORTGEN_MODELS="$here/models" REPORTGEN_MANIFEST="$here/models/models.json" XDG_CACHE_HOME="$results/cache"
  [ -f "$here/llama-headers/include/llama.h" ] && export REPORTGEN_LLAMA_SRC="$here/llama-headers"
  # A PTX-only kernel set is compiled by the driver on first use and cached; the default cache may be too small.
  export CUDA_CACHE_MAXSIZE="${CUDA_CACHE_MAXSIZE:-4294967296}"
  local gpu=-1 step=0 failed=0 cuda="$here/app/native/llama/libggml-cuda.so" have_gpu=0
  if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >"$results/gpus.txt" 2>&1; then
    have_gpu=1
    nvidia-smi --query-gpu=name,compute_cap,memory.total,driver_version --format=csv >>"$results/gpus.txt" 2>&1
    cat "$results/gpus.txt"
    echo "CUDA kernels in this pack: $(cat "$here/cuda-kernels.txt" 2>/dev/null || echo unknown)"
    # ggml skips a backend it cannot load without a word; say why here, before the benches run on the CPU.
    local missing
    missing=$(ldd "$cuda" 2>/dev/null | awk '/not found/ {print $1}' | tr '\n' ' ')
    [ -z "$missing" ] || echo "warning: libggml-cuda.so cannot load, missing ${missing}(libcuda.so.1 comes with the NVIDIA driver, libcudart.so.13 and libcublas.so.13 with the CUDA 13 runtime): everything below runs on the CPU"
  else
    echo "no NVIDIA GPU found: running the CPU fallback" | tee "$results/gpus.txt"
  fi
  show_tail() { tail -n 25 "$1"; }
  show_doctor() { grep -E '^[^ ]|^  (backends|devices|features) ' "$1"; }  # the runtimes, not the model list
  # The device, the offloaded layers and the buffers, the text and the time (a PTX compile, if any, is in it).
  show_generation() { grep -E 'offloaded|CUDA|device|^[^l]' "$1"; }
  one() {  # one NAME COMMAND...: runs a step, logs it, never stops the script; SHOW names what is echoed
    step=$((step + 1))
    echo "== $step $1 (load $(cut -d' ' -f1 /proc/loadavg))"
    local name="$1" start rc; shift
    start=$(date +%s.%N)
    "$@" >"$results/$name.log" 2>&1; rc=$?
    echo "   $(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN {printf "%.1f", e - s}') s" >>"$results/$name.log"
    if [ "$rc" -eq 0 ]; then "${SHOW:-show_tail}" "$results/$name.log"; else echo "   failed (exit $rc): $(tail -n 4 "$results/$name.log")"; failed=$((failed + 1)); fi
  }
  local bw=()
  [ -n "${GPU_BANDWIDTH_GBS:-}" ] && bw=(--bandwidth-gbs "$GPU_BANDWIDTH_GBS")
  SHOW=show_doctor one doctor "$app" doctor
  # With a GPU, a run on the CPU would pass every step and prove nothing: count it as a failure.
  if [ "$have_gpu" = 1 ] && ! grep -q '^  backends .*CUDA' "$results/doctor.log"; then
    echo "   failed: a GPU is there but llama.cpp has no CUDA backend (see the warning above and doctor.log)"; failed=$((failed + 1))
  fi
  SHOW=show_generation one first-generation "$app" generate -m iu-xray-tiny-llama --raw -p "Heart size is normal." --max-tokens 16 --gpu-layers "$gpu" --verbose
  one bench-llm "$app" bench llm --gpu-layers "$gpu" --tokens "${TOKENS:-128}" --repeats "${REPEATS:-5}" \
    --roofline-model "${ROOFLINE_MODEL:-1gb}" "${bw[@]}" --json "$results/bench-llm.json"
  if [ -n "${REPORTGEN_LLAMA_SERVER:-}" ]; then
    one bench-serve "$app" bench serve --model iu-xray-tiny-llama --gpu-layers "$gpu" --json "$results/bench-serve.json"
    one bench-serve-1gb "$app" bench serve --model 1gb --gpu-layers "$gpu" --max-tokens 64 --json "$results/bench-serve-1gb.json"
  else
    echo "== bench serve skipped: set REPORTGEN_LLAMA_SERVER to a CUDA llama-server (cmake -DGGML_CUDA=ON from the pinned source)"
  fi
  one encoder-cpu "$app" embed --image "$here/models/encoder-check.png"
  if [ -f "${ORT_CUDA_PROVIDER_DIR:-/nonexistent}/libonnxruntime_providers_cuda.so" ]; then
    cp "$ORT_CUDA_PROVIDER_DIR"/libonnxruntime_providers_*.so "$here/app/native/onnxruntime/"
    # embed --cuda warns on stderr and runs on the CPU when the provider cannot load: the log says which it was.
    one encoder-cuda "$app" embed --image "$here/models/encoder-check.png" --cuda
    grep -q '"provider":"CUDA' "$results/encoder-cuda.log" \
      || { echo "   failed: the encoder ran on the CPU, the CUDA provider did not load (encoder-cuda.log says why)"; failed=$((failed + 1)); }
  else
    echo "== encoder on CUDA skipped: set ORT_CUDA_PROVIDER_DIR to the folder with libonnxruntime_providers_cuda.so (NuGet Microsoft.ML.OnnxRuntime.Gpu.Linux 1.30.0, runtimes/linux-x64/native)"
  fi
  echo "gpu check: $step steps, $failed failed; logs and JSON in $results"
  [ "$failed" -eq 0 ]
}

case "${1:-}" in
  pack) shift; pack "$@" ;;
  run) shift; run "$@" ;;
  slim) shift; slim "$@" ;;
  *) echo "usage: $0 pack [--sm N] [OUT_DIR] | run [RESULTS_DIR] | slim APP_DIR" >&2; exit 2 ;;
esac
