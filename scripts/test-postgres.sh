#!/usr/bin/env bash
# `npm run test:postgres`: the store suites (contract, parity, migrate) against a real
# PostgreSQL 15 + pgvector started for this run (scripts/postgres-test-server.sh) and stopped
# whatever happens. `npm test` runs the same suites on PGlite.
set -euo pipefail
cd "$(dirname "$0")/.."
export PG_TEST_DIR="${PG_TEST_DIR:-$(mktemp -u /tmp/research-bot-pg.XXXXXX)}"
trap 'bash scripts/postgres-test-server.sh stop' EXIT
# An assignment, not eval "$(…)" directly: a server that fails to start must fail this script.
server_env="$(bash scripts/postgres-test-server.sh start)"
eval "$server_env"
[ -n "${TEST_DATABASE_URL:-}" ] || { echo "test-postgres: the server did not start" >&2; exit 1; }
node node_modules/vitest/vitest.mjs run --config vitest.postgres.config.ts "$@"
