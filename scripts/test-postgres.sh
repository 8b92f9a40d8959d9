#!/usr/bin/env bash
# `npm run test:postgres`: the store suites (contract, parity, migrate) against a real
# PostgreSQL 15 + pgvector started for this run (scripts/postgres-test-server.sh) and stopped
# whatever happens. `npm test` runs the same suites on PGlite.
set -euo pipefail
cd "$(dirname "$0")/.."
export PG_TEST_DIR="${PG_TEST_DIR:-$(mktemp -u /tmp/research-bot-pg.XXXXXX)}"
trap 'bash scripts/postgres-test-server.sh stop' EXIT
eval "$(bash scripts/postgres-test-server.sh start)"
node node_modules/vitest/vitest.mjs run --config vitest.postgres.config.ts "$@"
