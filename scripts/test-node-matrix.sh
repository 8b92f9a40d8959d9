#!/usr/bin/env bash
# `npm run test:node-matrix`: the whole suite under Node 20 (this machine's own, end-of-life),
# 22 and 24 (pinned releases fetched by scripts/node-bin.sh). dist/ is built once; it is plain
# ES2022 and the same for every version. Exits non-zero if any version fails.
set -uo pipefail
cd "$(dirname "$0")/.."
npm run build >/dev/null || exit 1
declare -A result
status=0
for major in 20 22 24; do
  if [ "$major" = 20 ]; then
    bin="$(dirname "$(command -v node)")"
    if [[ "$("$bin/node" --version)" != v20.* ]]; then
      echo "node-matrix: the node on PATH is $("$bin/node" --version), not 20.x; put a Node 20 first on PATH" >&2
      result[$major]="missing"; status=1; continue
    fi
  else
    bin="$(bash scripts/node-bin.sh "$major")" || { result[$major]="install failed"; status=1; continue; }
  fi
  version="$("$bin/node" --version)"
  echo "=== Node $version ==="
  # Child processes the suite spawns (the CLI, the bot, shards) find this node first on PATH
  # or inherit process.execPath.
  if PATH="$bin:$PATH" "$bin/node" node_modules/vitest/vitest.mjs run; then
    result[$major]="$version passed"
  else
    result[$major]="$version FAILED"; status=1
  fi
done
echo "=== node matrix ==="
for major in 20 22 24; do echo "Node $major: ${result[$major]}"; done
exit $status
