#!/usr/bin/env bash
# Fetches one pinned npm package with `npm pack` (its install scripts never run), checks it against the
# SRI hash pinned in build/NativeRuntimes.props, and unpacks it into the cache, atomically.
# A cached, verified copy is used as is, so a second build works offline.
# Usage: provision.sh PACKAGE@VERSION SRI_SHA512 CACHE_DIR
# Prints the unpacked package folder on success; one "error:" line and exit 1 otherwise.
set -uo pipefail
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
