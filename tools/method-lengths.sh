#!/usr/bin/env bash
# Lists the longest C# methods (constructors, accessors and lambdas with block bodies count as part of their method)
# under the given folders, longest first: "LINES path:line Name". Lines are counted from the signature to the closing
# brace, blank lines and comments included. A heuristic that reads text (braces outside strings and comments); good
# enough to find methods that want splitting.
#   tools/method-lengths.sh [--top N] [--over N] [FOLDER...]   (default: src eval, top 20)
set -euo pipefail
top=20; over=0; folders=()
while (($#)); do
  case "$1" in
    --top) top="$2"; shift 2 ;;
    --over) over="$2"; shift 2 ;;
    *) folders+=("$1"); shift ;;
  esac
done
((${#folders[@]})) || folders=(src eval)
cd "$(dirname "$0")/.."
find "${folders[@]}" -name '*.cs' -not -path '*/obj/*' -not -path '*/bin/*' -print0 | sort -z |
  /usr/bin/python3 -c '
import re, sys
top, over = int(sys.argv[1]), int(sys.argv[2])
# A member signature: modifiers, a return type, a name and a parameter list (no control-flow keyword before it).
signature = re.compile(r"^\s*(?:(?:public|private|protected|internal|static|async|override|virtual|sealed|unsafe|partial|extern|new|abstract)\s+)*"
                       r"(?!(?:if|for|foreach|while|switch|using|lock|catch|return|await|new|else|fixed)\b)"
                       r"[\w<>\[\],.?() ]+?\s+(?P<name>[A-Za-z_]\w*)\s*(?:<[^>]*>)?\s*\(")
ctor = re.compile(r"^\s*(?:public|private|protected|internal)\s+(?P<name>[A-Z]\w*)\s*\(")
def code_only(line, state):
    # Blanks strings, chars and comments out of one line; state carries a /* */ or verbatim/raw string across lines.
    out, i = [], 0
    while i < len(line):
        if state["block"]:
            end = line.find("*/", i)
            if end < 0: return "".join(out)
            state["block"], i = False, end + 2; continue
        c = line[i]
        if line.startswith("//", i): break
        if line.startswith("/*", i): state["block"], i = True, i + 2; continue
        if line.startswith("\"\"\"", i):
            end = line.find("\"\"\"", i + 3)
            i = len(line) if end < 0 else end + 3; continue
        if c == "\x27":
            m = re.match(r"\x27(\\.|[^\\\x27])*\x27", line[i:])
            i += m.end() if m else 1; continue
        if c == "\"":
            verbatim = i > 0 and line[i-1] == "@"
            j = i + 1
            while j < len(line):
                if not verbatim and line[j] == "\\": j += 2; continue
                if line[j] == "\"":
                    if verbatim and line[j+1:j+2] == "\"": j += 2; continue
                    break
                j += 1
            i = j + 1; continue
        out.append(c); i += 1
    return "".join(out)
rows = []
for path in sys.stdin.read().split("\0"):
    if not path: continue
    lines = open(path, encoding="utf-8", errors="replace").read().split("\n")
    state = {"block": False}
    code = [code_only(l, state) for l in lines]
    depth, stack, pending = 0, [], None
    for n, text in enumerate(code):
        m = signature.match(text) or ctor.match(text)
        if m and re.search(r"\b(class|record|struct|interface|enum|delegate)\b", text): m = None   # a type, not a member
        if m and not text.rstrip().endswith(";") and "=>" not in text.split("(", 1)[0] and pending is None:
            pending = (n, m.group("name"))
        for ch in text:
            if ch == "{":
                if pending is not None:
                    stack.append((depth, pending)); pending = None
                depth += 1
            elif ch == "}":
                depth -= 1
                if stack and stack[-1][0] == depth:
                    _, (start, name) = stack.pop()
                    rows.append((n - start + 1, path, start + 1, name))
        if pending is not None and (text.rstrip().endswith(";") or "=>" in text):
            pending = None
# Nested (local) functions are reported on their own and inside their parent, as a reader sees them.
rows.sort(key=lambda r: (-r[0], r[1], r[2]))
shown = [r for r in rows if r[0] > over] if over else rows[:top]
for length, path, line, name in shown: print(f"{length:5d} {path}:{line} {name}")
' "$top" "$over"
