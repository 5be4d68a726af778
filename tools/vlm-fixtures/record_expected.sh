#!/usr/bin/env bash
# Records what llama.cpp's own multimodal path (tools/mtmd-reference: mtmd_tokenize + mtmd_helper_eval_chunks + greedy)
# gives on the tiny VLM fixtures and the two shared chest X-ray PNGs: greedy token ids and a summary of the image
# embeddings (rows, width, first values, sum of |x|). The tests (MmprojRecordedTests) compare our stack with it.
#
# usage: tools/vlm-fixtures/record_expected.sh LIBDIR   (LIBDIR: a native/llama folder holding libmtmd.so)
# writes tests/fixtures/gguf/expected-mtmd.json
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
libdir="$(cd "$1" && pwd)"
shared="${REPORTGEN_SHARED:-$root/../shared}"
fixtures="$root/tests/fixtures/gguf"
headers=$(bash "$root/build/native/provision.sh" llama-headers)
mtmd_dir=$(bash "$root/build/native/provision.sh" mtmd "$libdir")
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cc -O2 -o "$work/ref" "$root/tools/mtmd-reference/main.c" -I "$headers/include" -I "$headers/ggml/include" -I "$mtmd_dir" -L "$libdir" \
  -l:libmtmd.so "-l:$(basename "$libdir"/libllama.v*.so)" "-l:$(basename "$libdir"/libggml.v*.so)" -l:libggml-base.so "-Wl,-rpath,$libdir"
prompt="Describe the findings of the chest x-ray."
n=12
entries=()
for pair in "tiny-gemma3-vlm|tiny-gemma3.gguf|tiny-gemma3-mmproj.gguf" "tiny-llava-vlm|tiny-llava-llama.gguf|tiny-llava-mmproj-128.gguf" \
            "tiny-qwen2vl-vlm|tiny-qwen2vl.gguf|tiny-qwen2vl-mmproj.gguf"; do
  IFS='|' read -r id llm mmproj <<<"$pair"
  for image in 00000001_000.png 00027426_000.png; do
    "$work/ref" "$libdir" "$fixtures/$llm" "$fixtures/$mmproj" "$shared/data/images/$image" "$prompt" "$n" 1 "$work/t" "$work/e" >/dev/null 2>"$work/err"
    entries+=("$(/usr/bin/python3 - "$id" "$image" "$work/t" "$work/e" <<'PY'
import json, sys, numpy as np
set_id, image, tokens, embd = sys.argv[1:5]
e = np.fromfile(embd, dtype="<f4")
print(json.dumps({"set": set_id, "image": image, "tokens": [int(t) for t in open(tokens).read().split()],
                  "embedding_values": int(e.size), "first": [float(v) for v in e[:8]], "abs_sum": float(np.abs(e.astype(np.float64)).sum())}))
PY
)")
  done
done
{
  echo '{'
  echo "  \"recorded_by\": \"tools/vlm-fixtures/record_expected.sh (tools/mtmd-reference: llama.cpp's mtmd_helper_eval_chunks + greedy)\","
  echo "  \"prompt\": \"$prompt\", \"max_tokens\": $n, \"chat_template\": true,"
  echo '  "cases": ['
  for i in "${!entries[@]}"; do sep=","; [ "$i" = $((${#entries[@]} - 1)) ] && sep=""; echo "    ${entries[$i]}$sep"; done
  echo '  ]'
  echo '}'
} > "$fixtures/expected-mtmd.json"
echo "wrote $fixtures/expected-mtmd.json"
