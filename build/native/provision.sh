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
# Prints the unpacked package folder (or the headers folder) on success; one "error:" line and exit 1 otherwise.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

default_cache() {
  if [ -n "${REPORTGEN_NATIVE_CACHE:-}" ]; then echo "$REPORTGEN_NATIVE_CACHE"
  elif [ -n "${XDG_CACHE_HOME:-}" ]; then echo "$XDG_CACHE_HOME/reportgen/native"
  else echo "$HOME/.cache/reportgen/native"; fi
}

llama_headers() {
  local cache="${1:-$(default_cache)}" props="$here/../NativeRuntimes.props"
  local spec integrity
  spec=$(sed -n 's:.*<LlamaSourcePackage>\(.*\)</LlamaSourcePackage>.*:\1:p' "$props")
  integrity=$(sed -n 's:.*<LlamaSourceIntegrity>\(.*\)</LlamaSourceIntegrity>.*:\1:p' "$props")
  if [ -z "$spec" ] || [ -z "$integrity" ]; then
    echo "error: LlamaSourcePackage/LlamaSourceIntegrity not found in $props" >&2; return 1
  fi
  local dest="$cache/llama-headers_${spec##*@}"
  if [ -f "$dest/.verified" ] && [ "$(cat "$dest/.verified")" = "$integrity" ] && [ -f "$dest/include/llama.h" ]; then
    echo "$dest"; return 0
  fi
  local git="${REPORTGEN_GIT:-git}"   # tests point this elsewhere to simulate a machine without git
  command -v "$git" >/dev/null 2>&1 || { echo "error: git is not on PATH; install it (Debian: apt-get install -y git) to extract llama.h from $spec" >&2; return 1; }
  command -v tar >/dev/null 2>&1 || { echo "error: tar is not on PATH; install it to extract llama.h from $spec" >&2; return 1; }
  local package
  package=$(bash "$here/provision.sh" "$spec" "$integrity" "$cache") || return 1
  local bundle="$package/llama/gitRelease.bundle"
  [ -f "$bundle" ] || { echo "error: $spec has no llama/gitRelease.bundle (expected at $bundle)" >&2; return 1; }
  local tmp
  tmp=$(mktemp -d "$cache/.tmp-llama-headers-XXXXXX") || return 1
  trap 'rm -rf "$tmp"' RETURN
  if ! "$git" clone --quiet --bare "$bundle" "$tmp/src.git" 2>"$tmp/git.err"; then
    echo "error: git could not read $bundle ($(tail -n 1 "$tmp/git.err"))" >&2; return 1
  fi
  mkdir -p "$tmp/x"
  if ! "$git" -C "$tmp/src.git" archive --format=tar HEAD include ggml/include 2>"$tmp/git.err" | tar xf - -C "$tmp/x"; then
    echo "error: could not extract include/ and ggml/include/ from $bundle ($(tail -n 1 "$tmp/git.err"))" >&2; return 1
  fi
  [ -f "$tmp/x/include/llama.h" ] && [ -f "$tmp/x/ggml/include/ggml.h" ] || { echo "error: $bundle has no include/llama.h or ggml/include/ggml.h" >&2; return 1; }
  "$git" -C "$tmp/src.git" rev-parse HEAD > "$tmp/x/.commit"
  echo "$integrity" > "$tmp/x/.verified"
  rm -rf "$dest.old"; [ -d "$dest" ] && mv "$dest" "$dest.old"
  mv "$tmp/x" "$dest" || { echo "error: could not move the headers into $dest" >&2; return 1; }
  rm -rf "$dest.old"
  echo "$dest"
}

if [ "${1:-}" = "llama-headers" ]; then
  llama_headers "${2:-}"; exit $?
fi

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
