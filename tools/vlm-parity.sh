#!/usr/bin/env bash
# Vision-language parity: llama.cpp's own multimodal path against ours, greedy (temperature 0), on the tiny
# VLM fixtures (tests/fixtures/gguf) and the shared chest X-ray PNGs.
#
#   reference: tools/mtmd-reference/main.c, llama.cpp's mtmd_tokenize + mtmd_helper_eval_chunks + greedy
#              sampling, linked to the SAME libllama/libggml/libmtmd our CLI loads (so a difference is ours);
#   ours:      `reportgen generate ... --tokens-out --embeddings-out` (src/ReportGen.Cli);
#   and, when the reference tools are provisioned (or --with-llama-cli), llama.cpp's own llama-mtmd-cli
#   (an independent static build of the same source, tuned to this CPU) must run each pair too; its
#   text is shown beside ours, it is not counted (another build may round differently).
# A case is identical when the generated token ids are equal and the image embeddings agree within 1e-4.
# Each pair must also generate differently for the two images (else the image would not matter).
#
# usage: tools/vlm-parity.sh [--with-llama-cli] [N_PREDICT (default 16)]
#   REPORTGEN_CLI: the reportgen binary (default: dotnet build src/ReportGen.Cli, then artifacts/bin/...)
#   REPORTGEN_SHARED: the shared data folder (default: ../shared beside the checkout)
# Last line: "vlm parity: N/M identical"; exit 0 only when all are.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
provision="$root/build/native/provision.sh"
with_cli=0
if [ "${1:-}" = "--with-llama-cli" ]; then with_cli=1; shift; fi
n_predict="${1:-16}"
threads=2
shared="${REPORTGEN_SHARED:-$root/../shared}"
fixtures="$root/tests/fixtures/gguf"
prompt="Describe the findings."
die() { echo "error: $*" >&2; echo "vlm parity: 0/0 identical"; exit 2; }

images=("$shared/data/images/00000001_000.png" "$shared/data/images/00027426_000.png")
for i in "${images[@]}"; do [ -f "$i" ] || die "image $i not found (set REPORTGEN_SHARED)"; done

# pair id | LLM | mmproj | chat (the GGUF's template) or raw (a text model without one)
cases=(
  "tiny-gemma3-vlm|$fixtures/tiny-gemma3.gguf|$fixtures/tiny-gemma3-mmproj.gguf|chat"
  "tiny-llava-vlm|$fixtures/tiny-llava-llama.gguf|$fixtures/tiny-llava-mmproj-128.gguf|chat"
  "stories260k-llava|$shared/models/stories260K.gguf|$fixtures/tiny-llava-mmproj-64.gguf|raw"
  "iu-xray-llava|$shared/models/iu-xray-tiny-llama.gguf|$fixtures/tiny-llava-mmproj-320.gguf|raw"
)

# --- our side
cli="${REPORTGEN_CLI:-}"
if [ -z "$cli" ]; then
  (cd "$root" && dotnet build src/ReportGen.Cli -v q -nologo >/dev/null) || die "dotnet build src/ReportGen.Cli failed"
  cli="$root/artifacts/bin/ReportGen.Cli/debug/reportgen"
fi
[ -x "$cli" ] || die "$cli is not an executable (set REPORTGEN_CLI)"
libdir="$(dirname "$cli")/native/llama"
[ -f "$libdir/libmtmd.so" ] || die "$libdir has no libmtmd.so: the build could not make it; run: bash $provision mtmd $libdir"

# --- reference side: headers, libmtmd's build folder (mtmd.h; a cache hit for these same libraries), compile
headers=$(bash "$provision" llama-headers) || die "could not provision the pinned llama.h"
mtmd_dir=$(bash "$provision" mtmd "$libdir") || die "could not provision libmtmd for $libdir"
work=$(mktemp -d "${TMPDIR:-/tmp}/vlm-parity-XXXXXX")
trap 'rm -rf "$work"' EXIT
ref="$work/mtmd-reference"
"${CC:-cc}" -O2 -o "$ref" "$root/tools/mtmd-reference/main.c" -I "$headers/include" -I "$headers/ggml/include" -I "$mtmd_dir" \
  -L "$libdir" -l:libmtmd.so "-l:$(basename "$libdir"/libllama.v*.so)" "-l:$(basename "$libdir"/libggml.v*.so)" -l:libggml-base.so \
  "-Wl,-rpath,$libdir" 2>"$work/cc.err" || die "could not compile tools/mtmd-reference/main.c ($(tail -n 1 "$work/cc.err"))"

mtmd_cli=""
if [ "$with_cli" = 1 ]; then
  tools=$(bash "$provision" llama-tools) || die "could not provision llama-mtmd-cli"
  mtmd_cli="$tools/bin/llama-mtmd-cli"
else
  # use the reference tools when they are already cached (never start their long build unasked)
  mtmd_cli=$(ls -d "${REPORTGEN_NATIVE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/reportgen/native}"/llama-tools_*/bin/llama-mtmd-cli 2>/dev/null | head -n 1)
fi

# max |a - b| over two float32 files of the same size, or "size" when they differ
max_diff() {
  /usr/bin/python3 -c '
import sys, numpy as np
a, b = (np.fromfile(p, dtype="<f4") for p in sys.argv[1:3])
print("size %d vs %d" % (a.size, b.size) if a.size != b.size or a.size == 0 else "%.3g" % float(np.max(np.abs(a - b))))
' "$1" "$2"
}

ok=0; total=0; failed_pairs=()
for c in "${cases[@]}"; do
  IFS='|' read -r id llm mmproj mode <<<"$c"
  [ -f "$llm" ] || die "$llm not found"
  raw=(); [ "$mode" = raw ] && raw=(--raw)
  first_tokens=""
  for img in "${images[@]}"; do
    total=$((total + 1))
    name="$id $(basename "$img")"
    r="$work/ref"; o="$work/ours"
    if ! "$ref" "$libdir" "$llm" "$mmproj" "$img" "$prompt" "$n_predict" "$threads" "$r.tok" "$r.f32" "${raw[@]}" >"$r.txt" 2>"$r.err"; then
      echo "FAIL $name: reference failed: $(tail -n 1 "$r.err")"; continue
    fi
    if ! "$cli" generate --model "$llm" --mmproj "$mmproj" --image "$img" --prompt "$prompt" --temperature 0 \
         --max-tokens "$n_predict" --threads "$threads" --ctx-size 2048 "${raw[@]}" \
         --tokens-out "$o.tok" --embeddings-out "$o.f32" >"$o.txt" 2>"$o.err"; then
      echo "FAIL $name: reportgen generate failed: $(tail -n 1 "$o.err")"; continue
    fi
    diff=$(max_diff "$r.f32" "$o.f32")
    ntok=$(grep -c . "$r.tok")
    same_tokens=no; cmp -s "$r.tok" "$o.tok" && same_tokens=yes
    same_embd=no
    case "$diff" in size*) ;; *) /usr/bin/python3 -c "import sys; sys.exit(0 if float('$diff') <= 1e-4 else 1)" && same_embd=yes ;; esac
    cli_note=""
    if [ -n "$mtmd_cli" ]; then
      # llama-mtmd-cli always chats: a text model without a template gets LLaVA 1.5's (its text is then not ours)
      tmpl=(); [ "$mode" = raw ] && tmpl=(--chat-template vicuna)
      if "$mtmd_cli" -m "$llm" --mmproj "$mmproj" --image "$img" -p "$prompt" --temp 0 -n "$n_predict" -t "$threads" -c 2048 \
           "${tmpl[@]}" >"$work/cli.txt" 2>"$work/cli.err"; then
        cli_note="; llama-mtmd-cli ran: $(tr '\n' ' ' < "$work/cli.txt" | cut -c1-60)"
      else
        cli_note="; llama-mtmd-cli FAILED: $(tail -n 1 "$work/cli.err")"
      fi
    fi
    if [ "$same_tokens" = yes ] && [ "$same_embd" = yes ]; then
      ok=$((ok + 1)); verdict=PASS
    else
      verdict=FAIL
    fi
    echo "$verdict $name: tokens $([ "$same_tokens" = yes ] && echo identical || echo DIFFER) ($ntok), image embeddings max|d| $diff; text: $(tr '\n' ' ' < "$o.txt" | cut -c1-60)$cli_note"
    if [ -z "$first_tokens" ]; then first_tokens=$(cat "$r.tok")
    elif [ "$first_tokens" = "$(cat "$r.tok")" ]; then failed_pairs+=("$id"); fi
  done
done
for p in "${failed_pairs[@]+"${failed_pairs[@]}"}"; do
  echo "FAIL $p: both images generate the same tokens in the reference, so the image does not reach the LLM"
done
echo "vlm parity: $ok/$total identical"
[ "$ok" = "$total" ] && [ "${#failed_pairs[@]}" = 0 ]
