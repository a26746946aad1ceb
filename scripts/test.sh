#!/usr/bin/env bash
# What `make test` (and CI) runs: dependencies, a local PostgreSQL, the OpenAPI
# spec check, then the Swift test suites. The exit code is `swift test`'s and its
# summary is the last thing printed.
#
# ESTATE_TEST_DATABASE_URL already set: that database is used and no local
# cluster is started (the restart test still uses scripts/pg.sh for a cluster of its own).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

bash scripts/deps.sh

if [ -z "${ESTATE_TEST_DATABASE_URL:-}" ]; then
    bash scripts/pg.sh start
    ESTATE_TEST_DATABASE_URL="$(bash scripts/pg.sh url)"
    ESTATE_TEST_PG_SCRIPT="$ROOT/scripts/pg.sh"
fi
export ESTATE_TEST_DATABASE_URL
export ESTATE_TEST_PG_SCRIPT="${ESTATE_TEST_PG_SCRIPT:-$ROOT/scripts/pg.sh}"

echo "== openapi-spec-validator openapi/openapi.yaml" >&2
.venv/bin/openapi-spec-validator openapi/openapi.yaml

echo "== swift build --build-tests" >&2
swift build --build-tests

echo "== schemathesis against a live estate serve" >&2
bash scripts/contract.sh "$ESTATE_TEST_DATABASE_URL"

echo "== swift test (database: $ESTATE_TEST_DATABASE_URL)" >&2
export LIBDISPATCH_COOPERATIVE_POOL_STRICT=1
exec swift test --skip-build
