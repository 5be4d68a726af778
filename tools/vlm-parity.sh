#!/usr/bin/env bash
# Vision-language parity: llama.cpp's own multimodal path against ours, greedy (temperature 0), on the tiny
# VLM fixtures (tests/fixtures/gguf) and the shared chest X-ray PNGs.
#
#   reference: tools/mtmd-reference/main.c, llama.cpp's mtmd_tokenize + mtmd_helper_eval_chunks + greedy
#              sampling, linked to the SAME libllama/libggml/libmtmd our CLI loads (so a difference is ours);
#   ours:      `reportgen generate ... --tokens-out --embeddings-out` (src/ReportGen.Cli);
#   llama-mtmd-cli: llama.cpp's own CLI (an independent static build of the same source, tuned to this CPU), run
#              when the reference tools are provisioned (or --with-llama-cli); it prints text, not token ids, so
#              its generated text must equal ours byte for byte (leading/trailing whitespace aside).
# All three get the same prompt: one user turn through llama.cpp's built-in template engine
# (llama_chat_apply_template; llama-mtmd-cli with --no-jinja, since it defaults to its Jinja engine, which renders a
# GGUF template's own defaults such as Qwen2-VL's system turn). A text model without a chat template
# (stories260K, iu-xray-tiny-llama) runs raw against the reference; llama-mtmd-cli refuses such a model ("Model does
# not have chat template ... use --chat-template vicuna"), so for it all three sides run once more with llama.cpp's
# named template `vicuna` (the IU X-ray model then writes the same normal report for both random-projector images).
# A case is identical when the generated token ids are equal, the image embeddings agree within 1e-4 and, when it
# ran, llama-mtmd-cli's text equals the bytes of those tokens (see below for a text it cut short). Each pair must also generate differently for its two
# images (in the raw or GGUF-template run).
# The Qwen2-VL pair (M-RoPE) takes a wide crop as its second image, so its image grid is not square.
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

# pair id | LLM | mmproj | chat template: "gguf" (its own) or a llama.cpp template name | second image: shared or wide
cases=(
  "tiny-gemma3-vlm|$fixtures/tiny-gemma3.gguf|$fixtures/tiny-gemma3-mmproj.gguf|gguf|shared"
  "tiny-llava-vlm|$fixtures/tiny-llava-llama.gguf|$fixtures/tiny-llava-mmproj-128.gguf|gguf|shared"
  "stories260k-llava|$shared/models/stories260K.gguf|$fixtures/tiny-llava-mmproj-64.gguf|vicuna|shared"
  "iu-xray-llava|$shared/models/iu-xray-tiny-llama.gguf|$fixtures/tiny-llava-mmproj-320.gguf|vicuna|shared"
  "tiny-qwen2vl-vlm|$fixtures/tiny-qwen2vl.gguf|$fixtures/tiny-qwen2vl-mmproj.gguf|gguf|wide"
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

# a 512 x 320 crop of the second image: a non-square M-RoPE grid
wide="$work/wide-00027426_000.png"
/usr/bin/python3 -c "import sys; from PIL import Image; Image.open(sys.argv[1]).crop((0, 96, 512, 416)).save(sys.argv[2])" \
  "${images[1]}" "$wide" || die "could not crop ${images[1]} (needs Debian's python3-pil)"

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
# ref + ours on one image with one prompt form (--raw, or a llama.cpp template name, or "" for the GGUF's template):
# sets same_tokens, diff, ntok; files $work/ref.{tok,f32,txt} and $work/ours.{tok,f32,txt}. Returns 1 if a side failed.
run_pair() { # LLM MMPROJ IMAGE FORM NAME
  local r="$work/ref" o="$work/ours" ref_form=() our_form=()
  case "$4" in "") ;; --raw) ref_form=(--raw); our_form=(--raw) ;; *) ref_form=("--template=$4"); our_form=(--chat-template "$4") ;; esac
  if ! "$ref" "$libdir" "$1" "$2" "$3" "$prompt" "$n_predict" "$threads" "$r.tok" "$r.f32" "${ref_form[@]}" >"$r.txt" 2>"$r.err"; then
    echo "FAIL $5: reference failed: $(tail -n 1 "$r.err")"; return 1
  fi
  if ! "$cli" generate --model "$1" --mmproj "$2" --image "$3" --prompt "$prompt" --temperature 0 \
       --max-tokens "$n_predict" --threads "$threads" --ctx-size 2048 "${our_form[@]}" \
       --tokens-out "$o.tok" --embeddings-out "$o.f32" >"$o.txt" 2>"$o.err"; then
    echo "FAIL $5: reportgen generate failed: $(tail -n 1 "$o.err")"; return 1
  fi
  diff=$(max_diff "$r.f32" "$o.f32")
  ntok=$(grep -c . "$r.tok")
  same_tokens=no; cmp -s "$r.tok" "$o.tok" && same_tokens=yes
  return 0
}

for c in "${cases[@]}"; do
  IFS='|' read -r id llm mmproj template second <<<"$c"
  [ -f "$llm" ] || die "$llm not found"
  pair_images=("${images[0]}" "${images[1]}"); [ "$second" = wide ] && pair_images=("${images[0]}" "$wide")
  # a model without a chat template runs raw against the reference (where the image visibly steers it), and with
  # llama.cpp's named template against llama-mtmd-cli, which refuses it untemplated
  form=""; cli_form=""; [ "$template" != gguf ] && { form=--raw; cli_form="$template"; }
  first_tokens=""
  for img in "${pair_images[@]}"; do
    total=$((total + 1))
    name="$id $(basename "$img")"
    run_pair "$llm" "$mmproj" "$img" "$form" "$name" || continue
    same_embd=no
    case "$diff" in size*) ;; *) /usr/bin/python3 -c "import sys; sys.exit(0 if float('$diff') <= 1e-4 else 1)" && same_embd=yes ;; esac
    pair_tokens=$(cat "$work/ref.tok"); text=$(tr '\n' ' ' < "$work/ours.txt" | cut -c1-60)
    tokens_ok=$same_tokens; main_diff=$diff; main_ntok=$ntok
    same_cli=yes; cli_note=""
    if [ -n "$mtmd_cli" ]; then
      if [ -n "$cli_form" ]; then
        run_pair "$llm" "$mmproj" "$img" "$cli_form" "$name ($cli_form template)" || { same_cli=no; same_tokens=no; }
        [ "$same_tokens" = yes ] || tokens_ok=no
        cli_note="; with the $cli_form template: tokens $([ "$same_tokens" = yes ] && echo identical || echo DIFFER)"
      fi
      cli_args=(--no-jinja); [ -n "$cli_form" ] && cli_args+=(--chat-template "$cli_form")
      # The reference's stdout is the raw bytes of the token pieces (ours equal its ids), as llama-mtmd-cli prints them.
      # llama-mtmd-cli prints through llama.cpp's asynchronous logger, which is not flushed at exit (common/log.cpp,
      # llama.cpp issue 22142): on a loaded machine the tail of its text can be lost. So it runs up to 3 times until
      # its text is complete; a text still cut short must be a prefix of the reference's and is reported as such.
      cmp_note=""
      for attempt in 1 2 3; do
        if ! "$mtmd_cli" -m "$llm" --mmproj "$mmproj" --image "$img" -p "$prompt" --temp 0 -n "$n_predict" -t "$threads" -c 2048 \
             "${cli_args[@]}" >"$work/cli.txt" 2>"$work/cli.err"; then
          cmp_note="FAILED: $(tail -n 1 "$work/cli.err")"; break
        fi
        cmp_note=$(/usr/bin/python3 -c '
import sys
cli, ref = (open(p, "rb").read().strip() for p in sys.argv[1:3])
if cli == ref: print("same text")
elif not cli: print("printed nothing (its log lost the text at exit)")
elif ref.startswith(cli): print("same text as far as it printed (%d of %d bytes; its log lost the rest at exit)" % (len(cli), len(ref)))
else: print("DIFFERS")' "$work/cli.txt" "$work/ref.txt")
        [ "$cmp_note" = "same text" ] || [ "$cmp_note" = DIFFERS ] && break
      done
      case "$cmp_note" in
        "same text"*) cli_note="$cli_note; llama-mtmd-cli: $cmp_note" ;;
        DIFFERS) same_cli=no; cli_note="$cli_note; llama-mtmd-cli DIFFERS: $(tr '\n' ' ' < "$work/cli.txt" | cut -c1-60)" ;;
        *) same_cli=no; cli_note="$cli_note; llama-mtmd-cli $cmp_note" ;;
      esac
    fi
    if [ "$tokens_ok" = yes ] && [ "$same_embd" = yes ] && [ "$same_cli" = yes ]; then
      ok=$((ok + 1)); verdict=PASS
    else
      verdict=FAIL
    fi
    echo "$verdict $name: tokens $([ "$tokens_ok" = yes ] && echo identical || echo DIFFER) ($main_ntok), image embeddings max|d| $main_diff; text: $text$cli_note"
    if [ -z "$first_tokens" ]; then first_tokens=$pair_tokens
    elif [ "$first_tokens" = "$pair_tokens" ]; then failed_pairs+=("$id"); fi
  done
done
for p in "${failed_pairs[@]+"${failed_pairs[@]}"}"; do
  echo "FAIL $p: both images generate the same tokens in the reference, so the image does not reach the LLM"
done
echo "vlm parity: $ok/$total identical${mtmd_cli:+ (with llama-mtmd-cli)}"
[ "$ok" = "$total" ] && [ "${#failed_pairs[@]}" = 0 ]
