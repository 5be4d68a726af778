#!/usr/bin/env bash
# Fetches one pinned npm package with `npm pack` (its install scripts never run), checks it against the
# SRI hash pinned in build/NativeRuntimes.props, and unpacks it into the cache, atomically.
# A cached, verified copy is used as is, so a second build works offline.
# Usage: provision.sh PACKAGE@VERSION SRI_SHA512 CACHE_DIR
#        provision.sh llama-headers [CACHE_DIR]
#   The second form is on demand, never part of the build: it provisions node-llama-cpp (LlamaSourcePackage /
#   LlamaSourceIntegrity in build/NativeRuntimes.props), clones its llama/gitRelease.bundle (the llama.cpp
#   source the pinned binaries were built from) into a temporary bare repository and extracts include/ and
#   ggml/include/ into CACHE_DIR/llama-headers_VERSION, atomically. Needs git and tar; no network beyond npm.
#        provision.sh mtmd BIN_DIR [CACHE_DIR]
#   Builds libmtmd.so (llama.cpp's multimodal library) from that source against the libllama in BIN_DIR, cached
#   (see mtmd() below); the build runs it after provisioning llama.cpp. Prints the folder holding libmtmd.so.
#        provision.sh llama-source [CACHE_DIR]   the whole pinned source tree (gguf-py for tools/vlm-fixtures)
#        provision.sh llama-tools [CACHE_DIR]    llama.cpp's llama-mtmd-cli + llama-server (on demand; slow)
#        provision.sh llama-native [CACHE_DIR]   libggml + libllama + libmtmd (+ llama-mtmd-cli) for this CPU (opt-in; REPORTGEN_LLAMA_LIB_DIR)
#        provision.sh mtmd-cli-npm BIN_DIR [CACHE_DIR]   llama-mtmd-cli on the npm libraries + our libmtmd (diagnostic; ~1 min)
# Prints the unpacked package folder (or the headers folder) on success; one "error:" line and exit 1 otherwise.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

default_cache() {
  if [ -n "${REPORTGEN_NATIVE_CACHE:-}" ]; then echo "$REPORTGEN_NATIVE_CACHE"
  elif [ -n "${XDG_CACHE_HOME:-}" ]; then echo "$XDG_CACHE_HOME/reportgen/native"
  else echo "$HOME/.cache/reportgen/native"; fi
}

# Reads the pinned llama.cpp source package (LlamaSourcePackage/LlamaSourceIntegrity) into $src_spec/$src_integrity.
read_source_pin() {
  local props="$here/../NativeRuntimes.props"
  src_spec=$(sed -n 's:.*<LlamaSourcePackage>\(.*\)</LlamaSourcePackage>.*:\1:p' "$props")
  src_integrity=$(sed -n 's:.*<LlamaSourceIntegrity>\(.*\)</LlamaSourceIntegrity>.*:\1:p' "$props")
  if [ -z "$src_spec" ] || [ -z "$src_integrity" ]; then
    echo "error: LlamaSourcePackage/LlamaSourceIntegrity not found in $props" >&2; return 1
  fi
}

# extract_llama_source CACHE OUT PATH...: provisions the pinned node-llama-cpp package, reads its
# llama/gitRelease.bundle (the llama.cpp source the pinned binaries were built from) and extracts PATH...
# into the new folder OUT, with the commit in OUT/.commit. Needs git and tar; no network beyond npm.
extract_llama_source() {
  local cache="$1" out="$2"; shift 2
  local git="${REPORTGEN_GIT:-git}"   # tests point this elsewhere to simulate a machine without git
  command -v "$git" >/dev/null 2>&1 || { echo "error: git is not on PATH; install it (Debian: apt-get install -y git) to extract the llama.cpp source of $src_spec" >&2; return 1; }
  command -v tar >/dev/null 2>&1 || { echo "error: tar is not on PATH; install it to extract the llama.cpp source of $src_spec" >&2; return 1; }
  local package
  package=$(bash "$here/provision.sh" "$src_spec" "$src_integrity" "$cache") || return 1
  local bundle="$package/llama/gitRelease.bundle"
  [ -f "$bundle" ] || { echo "error: $src_spec has no llama/gitRelease.bundle (expected at $bundle)" >&2; return 1; }
  if ! "$git" clone --quiet --bare "$bundle" "$out.git" 2>"$out.err"; then
    echo "error: git could not read $bundle ($(tail -n 1 "$out.err"))" >&2; return 1
  fi
  mkdir -p "$out"
  if ! "$git" -C "$out.git" archive --format=tar HEAD "$@" 2>"$out.err" | tar xf - -C "$out"; then
    echo "error: could not extract $* from $bundle ($(tail -n 1 "$out.err"))" >&2; return 1
  fi
  "$git" -C "$out.git" rev-parse HEAD > "$out/.commit"
  rm -rf "$out.git" "$out.err"
}

# publish TMP DEST: replaces DEST by the finished folder TMP in one rename (a reader never sees half a folder).
publish() {
  local tmp="$1" dest="$2"
  rm -rf "$dest.old"; [ -d "$dest" ] && mv "$dest" "$dest.old"
  mv "$tmp" "$dest" || { echo "error: could not move the result into $dest" >&2; return 1; }
  rm -rf "$dest.old"
}

# source_folder CACHE NAME MARKER PATH...: CACHE/NAME_VERSION holding PATH... of the pinned llama.cpp source,
# extracted once, atomically; reused while its .verified matches the source pin and MARKER (a file) is there.
source_folder() {
  local cache="$1" name="$2" marker="$3"; shift 3
  read_source_pin || return 1
  local dest="$cache/${name}_${src_spec##*@}"
  if [ -f "$dest/.verified" ] && [ "$(cat "$dest/.verified")" = "$src_integrity" ] && [ -f "$dest/$marker" ]; then
    echo "$dest"; return 0
  fi
  mkdir -p "$cache" || { echo "error: cannot create the native cache folder $cache; set REPORTGEN_NATIVE_CACHE to a writable folder" >&2; return 1; }
  local tmp
  tmp=$(mktemp -d "$cache/.tmp-$name-XXXXXX") || return 1
  trap 'rm -rf "$tmp"; trap - RETURN' RETURN
  extract_llama_source "$cache" "$tmp/x" "$@" || return 1
  [ -f "$tmp/x/$marker" ] || { echo "error: the llama.cpp source of $src_spec has no $marker" >&2; return 1; }
  echo "$src_integrity" > "$tmp/x/.verified"
  publish "$tmp/x" "$dest" || return 1
  echo "$dest"
}

# source_release CACHE: the llama.cpp release tag of the pinned source (node-llama-cpp's llama/llama.cpp.info.json, the
# release its npm binaries report too).
source_release() {
  local package info
  package=$(bash "$here/provision.sh" "$src_spec" "$src_integrity" "$1") || return 1
  info="$package/llama/llama.cpp.info.json"
  sed -n 's/.*"tag": *"\([^"]*\)".*/\1/p' "$info" | grep . || { echo "error: no llama.cpp release tag in $info" >&2; return 1; }
}

# llama.h and ggml's headers (bench llm's C reference decoder).
llama_headers() { source_folder "${1:-$(default_cache)}" llama-headers include/llama.h include ggml/include; }

# The whole source tree (the reference tools, the converters and gguf-py). On demand only.
llama_source() { source_folder "${1:-$(default_cache)}" llama-source CMakeLists.txt .; }

# build_tools PURPOSE: sets cmake and cxx (REPORTGEN_CMAKE and CXX override them; tests point REPORTGEN_CMAKE
# elsewhere to simulate a machine without cmake), or says in one line what to install for PURPOSE.
build_tools() {
  cmake="${REPORTGEN_CMAKE:-cmake}" cxx="${CXX:-c++}"
  command -v "$cmake" >/dev/null 2>&1 || { echo "error: cmake is not on PATH; install it (Debian: apt-get install -y cmake g++) to $1" >&2; return 1; }
  command -v "$cxx" >/dev/null 2>&1 || { echo "error: no C++ compiler ($cxx) on PATH; install one (Debian: apt-get install -y g++) to $1" >&2; return 1; }
}

# machine_inputs FLAGS: the cache key of a build tuned for THIS machine: the source pin, the cmake flags, the compiler
# and the CPU flags (GGML_NATIVE compiles for the CPU it runs on).
machine_inputs() {
  { echo "$src_integrity"; echo "$1"; "$cxx" --version | head -n 1; grep -m1 '^flags' /proc/cpuinfo; } | sha256sum | cut -c1-64
}

# cmake_build WHAT LOG BUILD_DIR TARGETS CONFIGURE_ARG...: configures and builds (TARGETS: a space-separated list, empty
# for all) at low priority with REPORTGEN_NATIVE_JOBS jobs (default 2), the output in LOG; on failure one line naming
# WHAT, the first error and the log.
cmake_build() {
  local what="$1" log="$2" build="$3" targets="$4"
  shift 4
  # shellcheck disable=SC2086 # $targets is a list of target names
  if ! { "$cmake" -B "$build" "$@" -DCMAKE_CXX_COMPILER="$cxx" \
         && nice -n 10 "$cmake" --build "$build" -j "${REPORTGEN_NATIVE_JOBS:-2}" ${targets:+--target $targets}; } >"$log" 2>&1; then
    echo "error: building $what failed ($(grep -m1 -E 'error|Error' "$log" | cut -c1-200)); full log: $log" >&2; return 1
  fi
}

# projector_types CLIP_IMPL_H OUT_TXT: the projector types a clip accepts (general.projector_type /
# clip.projector_type in an mmproj GGUF), one per line in OUT_TXT; prints them as a JSON list's items.
projector_types() {
  sed -n '/PROJECTOR_TYPE_NAMES = {/,/^};/s/.*{ *PROJECTOR_TYPE_[A-Z0-9_]*, *"\([^"]*\)".*/\1/p' "$1" > "$2"
  [ -s "$2" ] || { echo "error: no projector types found in tools/mtmd/clip-impl.h (PROJECTOR_TYPE_NAMES moved?)" >&2; return 1; }
  sed 's/.*/"&"/' "$2" | paste -sd, -
}

# llama_tools [CACHE_DIR]: llama.cpp's own llama-mtmd-cli and llama-server, built from the pinned source as
# reference tools (parity checks, serving benchmarks, remote-engine tests). On demand only, never in the
# normal build: a full ggml + llama build (tens of minutes on 2 cores). Static binaries tuned for THIS
# machine (GGML_NATIVE=ON, so the folder name carries a hash of the CPU flags; do not copy it to another
# machine), cached in CACHE_DIR/llama-tools_VERSION_INPUTS/bin with build.json (flags, seconds, sha256s).
llama_tools() {
  local cache="${1:-$(default_cache)}"
  read_source_pin || return 1
  local cmake cxx
  build_tools "build the llama.cpp reference tools" || return 1
  local flags="-DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF -DGGML_NATIVE=ON -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TOOLS=ON -DLLAMA_BUILD_SERVER=ON -DLLAMA_BUILD_UI=OFF -DLLAMA_USE_PREBUILT_UI=OFF -DLLAMA_OPENSSL=OFF"
  local inputs
  inputs=$(machine_inputs "$flags")
  local dest="$cache/llama-tools_${src_spec##*@}_${inputs:0:12}"
  if [ -f "$dest/.verified" ] && [ "$(cat "$dest/.verified")" = "$inputs" ] && [ -x "$dest/bin/llama-mtmd-cli" ] && [ -x "$dest/bin/llama-server" ]; then
    echo "$dest"; return 0
  fi
  local src
  src=$(llama_source "$cache") || return 1
  exec 8>"$cache/.llama-tools.lock"
  flock 8 || { echo "error: could not lock $cache/.llama-tools.lock" >&2; return 1; }
  local tmp log="$cache/llama-tools-build.log"
  tmp=$(mktemp -d "$cache/.tmp-llama-tools-XXXXXX") || return 1
  trap 'rm -rf "$tmp"; trap - RETURN' RETURN
  local start=$SECONDS
  # shellcheck disable=SC2086 # $flags is a list of -D options
  cmake_build "the llama.cpp reference tools" "$log" "$tmp/build" "llama-mtmd-cli llama-server" -S "$src" $flags || return 1
  local seconds=$((SECONDS - start)) x="$tmp/x"
  mkdir -p "$x/bin"
  cp "$tmp/build/bin/llama-mtmd-cli" "$tmp/build/bin/llama-server" "$x/bin/" || return 1
  cat > "$x/build.json" <<JSON
{
  "source": "$src_spec",
  "commit": "$(cat "$src/.commit")",
  "cmakeFlags": "$flags",
  "compiler": "$("$cxx" --version | head -n 1)",
  "inputsSha256": "$inputs",
  "buildSeconds": $seconds,
  "llama-mtmd-cli": "$(sha256sum "$x/bin/llama-mtmd-cli" | cut -d' ' -f1)",
  "llama-server": "$(sha256sum "$x/bin/llama-server" | cut -d' ' -f1)"
}
JSON
  echo "$inputs" > "$x/.verified"
  publish "$x" "$dest" || return 1
  rm -f "$log"
  echo "$dest"
}

# llama_native [CACHE_DIR]: libggml + libllama + libmtmd as shared libraries built together from the pinned source
# for THIS machine's CPU (GGML_NATIVE=ON, OpenMP), an opt-in alternative to the npm build (generic CPU variants, no
# OpenMP). Measured on the tiny VLM fixtures, llama.cpp's own llama-mtmd-cli runs about 10 % faster on such a build
# than on the npm libraries (eval/benchmarks.md, bench vlm); point REPORTGEN_LLAMA_LIB_DIR at the printed folder to
# use it (the process then loads this libllama/libggml/libmtmd instead of the npm ones). llama-mtmd-cli is built beside
# them, linked against them, so `bench vlm` can run llama.cpp's CLI on the libraries our process loads. On demand only:
# a few minutes on 2 idle cores, never part of the normal build. Cached in CACHE_DIR/llama-native_VERSION_INPUTS (INPUTS
# hashes the source pin, the flags, the compiler and the CPU flags; do not copy the folder to another machine).
llama_native() {
  local cache="${1:-$(default_cache)}"
  read_source_pin || return 1
  local cmake cxx
  build_tools "build the native llama.cpp libraries" || return 1
  # BACKEND_DL off: GGML_NATIVE builds one CPU backend, linked into libggml (ggml refuses NATIVE with dynamic backends).
  local flags="-DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=ON -DGGML_NATIVE=ON -DGGML_BACKEND_DL=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TOOLS=ON -DLLAMA_BUILD_SERVER=OFF -DLLAMA_BUILD_UI=OFF -DLLAMA_OPENSSL=OFF -DCMAKE_BUILD_WITH_INSTALL_RPATH=ON"
  local inputs
  inputs=$(machine_inputs "$flags")
  local dest="$cache/llama-native_${src_spec##*@}_${inputs:0:12}"
  # A folder from before llama-build.json and llama-mtmd-cli were added is built again (once).
  cached() { [ -f "$dest/.verified" ] && [ "$(cat "$dest/.verified")" = "$inputs" ] && [ -f "$dest/libllama.so" ] && [ -f "$dest/libmtmd.so" ] \
             && [ -f "$dest/llama-build.json" ] && [ -x "$dest/llama-mtmd-cli" ] && (cd "$dest" && sha256sum --status -c .sha256); }
  if cached; then echo "$dest"; return 0; fi
  local src
  src=$(llama_source "$cache") || return 1
  exec 8>"$cache/.llama-native.lock"
  flock 8 || { echo "error: could not lock $cache/.llama-native.lock" >&2; return 1; }
  if cached; then echo "$dest"; return 0; fi
  local tmp log="$cache/llama-native-build.log"
  tmp=$(mktemp -d "$cache/.tmp-llama-native-XXXXXX") || return 1
  trap 'rm -rf "$tmp"; trap - RETURN' RETURN
  local start=$SECONDS
  # shellcheck disable=SC2086 # $flags is a list of -D options
  cmake_build "the native llama.cpp libraries" "$log" "$tmp/build" "llama mtmd llama-mtmd-cli" -S "$src" $flags '-DCMAKE_INSTALL_RPATH=$ORIGIN' || return 1
  local seconds=$((SECONDS - start)) x="$tmp/x"
  mkdir -p "$x"
  cp -a "$tmp/build/bin/"lib*.so* "$tmp/build/bin/llama-mtmd-cli" "$x/" || return 1
  local types release
  types=$(projector_types "$src/tools/mtmd/clip-impl.h" "$x/projector-types.txt") || return 1
  release=$(source_release "$cache") || return 1
  # What `reportgen doctor` says of this build (the npm build has _nlcBuildMetadata.json for that).
  cat > "$x/llama-build.json" <<JSON
{
  "source": "$src_spec",
  "release": "$release",
  "commit": "$(cat "$src/.commit")",
  "cmakeFlags": "$flags",
  "compiler": "$("$cxx" --version | head -n 1)"
}
JSON
  cat > "$x/mtmd-build.json" <<JSON
{
  "source": "$src_spec",
  "commit": "$(cat "$src/.commit")",
  "linkedAgainst": "libllama/libggml built with it ($flags)",
  "compiler": "$("$cxx" --version | head -n 1)",
  "inputsSha256": "$inputs",
  "sha256": "$(sha256sum "$x/libmtmd.so" | cut -d' ' -f1)",
  "buildSeconds": $seconds,
  "projectorTypes": [$types]
}
JSON
  (cd "$x" && find . -maxdepth 1 -type f \( -name 'lib*.so*' -o -name llama-mtmd-cli \) -printf '%P\n' | sort | xargs sha256sum > .sha256) || return 1
  echo "$inputs" > "$x/.verified"
  publish "$x" "$dest" || return 1
  rm -f "$log"
  echo "$dest"
}

# mtmd BIN_DIR [CACHE_DIR]: builds llama.cpp's multimodal library (tools/mtmd -> libmtmd.so) from the pinned
# source against the libllama/libggml in BIN_DIR (the provisioned npm build of the same release, so the
# process keeps one libllama/libggml). Cached in CACHE_DIR/mtmd_VERSION_INPUTS, where INPUTS is a sha256 of
# everything the output depends on (source pin, the npm libraries, build/native/mtmd/CMakeLists.txt, the
# compiler); .verified holds it and .sha256 the output's hash, checked on every use. Needs cmake, a C++17
# compiler, git, tar. About 2 minutes on 2 cores; REPORTGEN_NATIVE_JOBS sets the parallelism (default 2).
mtmd() {
  local bin="$1" cache="${2:-$(default_cache)}"
  [ -n "$bin" ] && [ -d "$bin" ] || { echo "error: usage: provision.sh mtmd BIN_DIR [CACHE_DIR] (BIN_DIR: the folder holding the provisioned libllama)" >&2; return 1; }
  bin="$(cd "$bin" && pwd)"
  read_source_pin || return 1
  local libs
  libs=$(ls "$bin"/libllama.v*.so "$bin"/libggml.v*.so "$bin"/libggml-base.so 2>/dev/null | sort)
  [ "$(echo "$libs" | grep -c .)" = 3 ] || { echo "error: $bin does not hold the provisioned libllama.v*.so, libggml.v*.so and libggml-base.so" >&2; return 1; }
  local cmake cxx
  build_tools "build libmtmd for image drafting" || return 1
  local wrapper="$here/mtmd/CMakeLists.txt" inputs
  inputs=$( { echo "$src_integrity"; sha256sum $libs | cut -d' ' -f1; sha256sum "$wrapper" | cut -d' ' -f1; "$cxx" --version | head -n 1; } | sha256sum | cut -c1-64)
  local dest="$cache/mtmd_${src_spec##*@}_${inputs:0:12}"
  cached() { [ -f "$dest/.verified" ] && [ "$(cat "$dest/.verified")" = "$inputs" ] && [ -f "$dest/libmtmd.so" ] \
             && [ "$(sha256sum "$dest/libmtmd.so" | cut -d' ' -f1)" = "$(cat "$dest/.sha256" 2>/dev/null)" ]; }
  if cached; then echo "$dest"; return 0; fi
  mkdir -p "$cache" || { echo "error: cannot create the native cache folder $cache; set REPORTGEN_NATIVE_CACHE to a writable folder" >&2; return 1; }
  # Several projects of one solution build at once: one builds, the others wait and take its result.
  exec 9>"$cache/.mtmd.lock"
  flock 9 || { echo "error: could not lock $cache/.mtmd.lock" >&2; return 1; }
  if cached; then echo "$dest"; return 0; fi
  local tmp log="$cache/mtmd-build.log"
  tmp=$(mktemp -d "$cache/.tmp-mtmd-XXXXXX") || return 1
  trap 'rm -rf "$tmp"; trap - RETURN' RETURN
  extract_llama_source "$cache" "$tmp/src" include ggml/include tools/mtmd vendor src/llama-ext.h || return 1
  local start=$SECONDS
  cmake_build libmtmd "$log" "$tmp/build" "" -S "$here/mtmd" -DCMAKE_BUILD_TYPE=Release -DLLAMA_SRC="$tmp/src" -DLLAMA_BIN="$bin" || return 1
  local seconds=$((SECONDS - start)) x="$tmp/x"
  mkdir -p "$x"
  cp "$tmp/build/libmtmd.so" "$tmp/src/tools/mtmd/mtmd.h" "$tmp/src/tools/mtmd/mtmd-helper.h" "$x/" || return 1
  local sha types
  types=$(projector_types "$tmp/src/tools/mtmd/clip-impl.h" "$x/projector-types.txt") || return 1
  sha=$(sha256sum "$x/libmtmd.so" | cut -d' ' -f1)
  cat > "$x/mtmd-build.json" <<JSON
{
  "source": "$src_spec",
  "commit": "$(cat "$tmp/src/.commit")",
  "linkedAgainst": "$bin",
  "compiler": "$("$cxx" --version | head -n 1)",
  "inputsSha256": "$inputs",
  "sha256": "$sha",
  "buildSeconds": $seconds,
  "projectorTypes": [$types]
}
JSON
  echo "$sha" > "$x/.sha256"
  echo "$inputs" > "$x/.verified"
  publish "$x" "$dest" || return 1
  rm -f "$log"
  echo "$dest"
}

# mtmd_cli_npm BIN_DIR [CACHE_DIR]: llama.cpp's llama-mtmd-cli compiled from the pinned source (one file,
# tools/mtmd/mtmd-cli.cpp) and linked against the npm libraries in BIN_DIR (libllama, libggml with its CPU-variant
# backends, libllama-common) and our libmtmd: the same native code our process runs. A diagnostic for `bench vlm`:
# beside the static GGML_NATIVE llama-tools build it tells a difference of the libraries' build from one of our code.
# On demand only (about a minute on 2 cores). Cached in CACHE_DIR/mtmd-cli-npm_VERSION_INPUTS with the libraries
# linked beside the binary (ggml finds its backends next to the executable).
mtmd_cli_npm() {
  local bin="$1" cache="${2:-$(default_cache)}"
  [ -n "$bin" ] && [ -d "$bin" ] || { echo "error: usage: provision.sh mtmd-cli-npm BIN_DIR [CACHE_DIR] (BIN_DIR: the folder holding the provisioned libllama)" >&2; return 1; }
  bin="$(cd "$bin" && pwd)"
  [ -f "$bin/libllama-common.so" ] || { echo "error: $bin has no libllama-common.so (llama.cpp's common library, which llama-mtmd-cli needs)" >&2; return 1; }
  read_source_pin || return 1
  local cxx="${CXX:-c++}"
  command -v "$cxx" >/dev/null 2>&1 || { echo "error: no C++ compiler ($cxx) on PATH; install one (Debian: apt-get install -y g++)" >&2; return 1; }
  local mtmd_dir src
  mtmd_dir=$(mtmd "$bin" "$cache") || return 1
  src=$(llama_source "$cache") || return 1
  local flags="-O3 -DNDEBUG -std=c++17" inputs
  inputs=$( { echo "$src_integrity"; echo "$flags"; sha256sum "$bin"/*.so "$mtmd_dir/libmtmd.so" | cut -d' ' -f1; "$cxx" --version | head -n 1; } | sha256sum | cut -c1-64)
  local dest="$cache/mtmd-cli-npm_${src_spec##*@}_${inputs:0:12}"
  if [ -f "$dest/.verified" ] && [ "$(cat "$dest/.verified")" = "$inputs" ] && [ -x "$dest/llama-mtmd-cli" ]; then
    echo "$dest"; return 0
  fi
  local tmp log="$cache/mtmd-cli-npm-build.log"
  tmp=$(mktemp -d "$cache/.tmp-mtmd-cli-npm-XXXXXX") || return 1
  trap 'rm -rf "$tmp"; trap - RETURN' RETURN
  local x="$tmp/x" f
  mkdir -p "$x"
  for f in "$bin"/*.so "$mtmd_dir/libmtmd.so"; do ln -s "$f" "$x/$(basename "$f")" || return 1; done
  local start=$SECONDS
  # shellcheck disable=SC2086 # $flags is a list of compiler options
  if ! nice -n 10 "$cxx" $flags -I"$src/common" -I"$src/include" -I"$src/ggml/include" -I"$src/tools/mtmd" -I"$src/vendor" \
       "$src/tools/mtmd/mtmd-cli.cpp" -o "$x/llama-mtmd-cli" -L"$x" -l:libmtmd.so -l:libllama-common.so \
       -l:"$(basename "$bin"/libllama.v*.so)" -l:"$(basename "$bin"/libggml.v*.so)" -l:libggml-base.so -lpthread '-Wl,-rpath,$ORIGIN' >"$log" 2>&1; then
    echo "error: building llama-mtmd-cli on the npm libraries failed ($(grep -m1 -E 'error' "$log" | cut -c1-200)); full log: $log" >&2; return 1
  fi
  cat > "$x/build.json" <<JSON
{
  "source": "$src_spec",
  "commit": "$(cat "$src/.commit")",
  "compilerFlags": "$flags",
  "linkedAgainst": ["$bin", "$mtmd_dir"],
  "compiler": "$("$cxx" --version | head -n 1)",
  "inputsSha256": "$inputs",
  "buildSeconds": $((SECONDS - start))
}
JSON
  echo "$inputs" > "$x/.verified"
  publish "$x" "$dest" || return 1
  rm -f "$log"
  echo "$dest"
}

case "${1:-}" in
  llama-headers) llama_headers "${2:-}"; exit $? ;;
  mtmd) mtmd "${2:-}" "${3:-}"; exit $? ;;
  llama-source) llama_source "${2:-}"; exit $? ;;
  llama-tools) llama_tools "${2:-}"; exit $? ;;
  llama-native) llama_native "${2:-}"; exit $? ;;
  mtmd-cli-npm) mtmd_cli_npm "${2:-}" "${3:-}"; exit $? ;;
esac

spec="$1"; integrity="$2"; cache="$3"
npm="${REPORTGEN_NPM:-npm}"   # tests point this elsewhere to simulate a machine without npm
name="${spec//@/_}"; name="${name//\//_}"; name="${name#_}"
dest="$cache/$name"
if [ -f "$dest/.verified" ] && [ "$(cat "$dest/.verified")" = "$integrity" ]; then
  echo "$dest/package"; exit 0
fi
if ! command -v "$npm" >/dev/null 2>&1; then
  echo "error: npm is not on PATH; install Node.js and npm (Debian: apt-get install -y npm) so the build can fetch $spec" >&2; exit 1
fi
mkdir -p "$cache" || { echo "error: cannot create the native cache folder $cache; set REPORTGEN_NATIVE_CACHE to a writable folder" >&2; exit 1; }
tmp=$(mktemp -d "$cache/.tmp-$name-XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
if ! (cd "$tmp" && "$npm" pack "$spec" --silent --ignore-scripts >pack.out 2>pack.err); then
  echo "error: 'npm pack $spec' failed ($(tail -n 1 "$tmp/pack.err" 2>/dev/null)); check the npm registry is reachable, or fill the cache $cache from a machine that can" >&2; exit 1
fi
tgz="$tmp/$(tail -n 1 "$tmp/pack.out")"
actual="sha512-$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)"
if [ "$actual" != "$integrity" ]; then
  echo "error: $spec hash mismatch (expected $integrity, got $actual); the registry served a different file: do not use it, check build/NativeRuntimes.props" >&2; exit 1
fi
mkdir -p "$tmp/x" && tar xzf "$tgz" -C "$tmp/x" || { echo "error: could not unpack $tgz" >&2; exit 1; }
echo "$integrity" > "$tmp/x/.verified"
rm -rf "$dest.old"; [ -d "$dest" ] && mv "$dest" "$dest.old"
mv "$tmp/x" "$dest" || { echo "error: could not move the unpacked package into $dest" >&2; exit 1; }
rm -rf "$dest.old"
echo "$dest/package"
