#!/usr/bin/env bash
# The whole GPU check in one script, in two halves.
#
#   tools/gpu-check.sh pack [OUT_DIR]   (here, with the .NET SDK and the native cache)
#     Publishes the CLI self-contained for linux-x64 with the CUDA llama.cpp libraries (the pinned npm
#     @node-llama-cpp/linux-x64-cuda build) and ONNX Runtime, adds the small models the check needs and this
#     script, and packs it all into OUT_DIR/reportgen-gpu-check.tar.xz (default OUT_DIR: artifacts/gpu-check).
#     Prints the sizes. Nothing on the GPU host needs .NET, npm or a registry.
#
#   ./gpu-check.sh run [RESULTS_DIR]    (on the GPU host, inside the unpacked folder)
#     doctor; bench llm with every layer on the GPU (overhead vs the C reference, roofline against the GPU's
#     bandwidth, batching x1/x4/x8/x16); bench serve against llama-server when REPORTGEN_LLAMA_SERVER names a
#     CUDA build of it; the encoder on the CUDA execution provider when libonnxruntime_providers_cuda.so is
#     beside libonnxruntime (ORT_CUDA_PROVIDER_DIR); one log + JSON per step in RESULTS_DIR (default ./results).
#     Needs the NVIDIA driver and the CUDA runtime libraries the npm build links (libcudart, libcublas of
#     CUDA 13). GPU_BANDWIDTH_GBS (data-sheet GB/s) makes the roofline row a fraction of the GPU's bandwidth.
#     Without a GPU the same run falls back to the CPU (that is how this half is tested here).
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

pack() {
  local root out stage
  root="$(cd "$here/.." && pwd)"
  out="${1:-$root/artifacts/gpu-check}"
  mkdir -p "$out" || return 1
  out="$(cd "$out" && pwd)"
  stage="$(mktemp -d "${TMPDIR:-/tmp}/reportgen-gpu-check-XXXXXX")/reportgen-gpu-check"
  mkdir -p "$stage/models" || return 1
  # libmtmd is built against the CPU libllama; the GPU check does not need it (drafting with mmproj sets is off).
  if ! dotnet publish "$root/src/ReportGen.Cli" -c Release -r linux-x64 --self-contained \
        -p:ReportGenLlamaBackend=cuda -p:ReportGenMtmd=false -o "$stage/app" -v q -nologo >"$out/publish.log" 2>&1; then
    echo "error: dotnet publish failed; see $out/publish.log" >&2; return 1
  fi
  local shared="${REPORTGEN_SHARED:-$root/../shared}"
  for m in stories260K.gguf iu-xray-tiny-llama.gguf mobilenetv2-12-int8.onnx; do
    [ -f "$shared/models/$m" ] || { echo "error: $shared/models/$m is missing (set REPORTGEN_SHARED)" >&2; return 1; }
    cp "$shared/models/$m" "$stage/models/"
  done
  cp "$root/models/models.json" "$stage/models/" 2>/dev/null || true
  local image
  image=$(find "$shared/data/images" -maxdepth 1 -name '*.png' | sort | head -n 1)
  [ -n "$image" ] && cp "$image" "$stage/models/encoder-check.png"
  cp "$here/gpu-check.sh" "$stage/"
  # What the app folder holds, for the record (the CUDA library dominates).
  (cd "$stage" && du -b app/native/llama/libggml-cuda.so app/native/*/libonnxruntime.so* 2>/dev/null; du -sb app models) >"$out/contents.txt"
  tar -C "$(dirname "$stage")" -cf - reportgen-gpu-check | xz -T0 -6 >"$out/reportgen-gpu-check.tar.xz" || return 1
  rm -rf "$(dirname "$stage")"
  local packed unpacked
  packed=$(stat -c %s "$out/reportgen-gpu-check.tar.xz")
  unpacked=$(xz -l --robot "$out/reportgen-gpu-check.tar.xz" | awk '$1 == "totals" {print $5}')
  echo "packed $((packed / 1048576)) MiB ($packed bytes), unpacked $((unpacked / 1048576)) MiB: $out/reportgen-gpu-check.tar.xz"
  [ "$packed" -le $((64 * 1048576)) ] || echo "note: over the 64 MiB target (libggml-cuda.so alone is ~152 MiB before compression)"
}

run() {
  local results="${1:-$PWD/results}" app="$here/app/reportgen"
  [ -x "$app" ] || { echo "error: $app not found: run this inside the unpacked reportgen-gpu-check folder" >&2; return 1; }
  mkdir -p "$results"
  export REPORTGEN_MODELS="$here/models" XDG_CACHE_HOME="$results/cache"
  local gpu=-1 step=0 failed=0
  if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >"$results/gpus.txt" 2>&1; then
    nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv >>"$results/gpus.txt" 2>&1
  else
    echo "no NVIDIA GPU found: running the CPU fallback" | tee "$results/gpus.txt"
  fi
  one() {  # one NAME COMMAND...: runs a step, logs it, never stops the script
    step=$((step + 1))
    echo "== $step $1 (load $(cut -d' ' -f1 /proc/loadavg))"
    local name="$1"; shift
    if "$@" >"$results/$name.log" 2>&1; then tail -n 25 "$results/$name.log"; else echo "   failed (exit $?): $(tail -n 3 "$results/$name.log")"; failed=$((failed + 1)); fi
  }
  local bw=()
  [ -n "${GPU_BANDWIDTH_GBS:-}" ] && bw=(--bandwidth-gbs "$GPU_BANDWIDTH_GBS")
  one doctor "$app" doctor
  one bench-llm "$app" bench llm --gpu-layers "$gpu" --tokens "${TOKENS:-128}" --repeats 5 "${bw[@]}" --json "$results/bench-llm.json"
  if [ -n "${REPORTGEN_LLAMA_SERVER:-}" ]; then
    one bench-serve "$app" bench serve --model iu-xray-tiny-llama --gpu-layers "$gpu" --json "$results/bench-serve.json"
    one bench-serve-1gb "$app" bench serve --model 1gb --gpu-layers "$gpu" --max-tokens 64 --json "$results/bench-serve-1gb.json"
  else
    echo "== bench serve skipped: set REPORTGEN_LLAMA_SERVER to a CUDA llama-server (cmake -DGGML_CUDA=ON from the pinned source)"
  fi
  if [ -f "${ORT_CUDA_PROVIDER_DIR:-/nonexistent}/libonnxruntime_providers_cuda.so" ]; then
    cp "$ORT_CUDA_PROVIDER_DIR"/libonnxruntime_providers_*.so "$(dirname "$(find "$here/app/native" -name 'libonnxruntime.so*' | head -n 1)")/"
    # embed --cuda warns on stderr and runs on the CPU when the provider cannot load: the log says which it was.
    one encoder-cuda "$app" embed --image "$here/models/encoder-check.png" --cuda
  else
    echo "== encoder on CUDA skipped: set ORT_CUDA_PROVIDER_DIR to the folder with libonnxruntime_providers_cuda.so (NuGet Microsoft.ML.OnnxRuntime.Gpu.Linux 1.30.0, runtimes/linux-x64/native)"
  fi
  echo "gpu check: $step steps, $failed failed; logs and JSON in $results"
  [ "$failed" -eq 0 ]
}

case "${1:-}" in
  pack) shift; pack "$@" ;;
  run) shift; run "$@" ;;
  *) echo "usage: $0 pack [OUT_DIR] | run [RESULTS_DIR]" >&2; exit 2 ;;
esac
