#!/usr/bin/env bash
# What `make run` runs: dependencies, a local PostgreSQL (unless
# ESTATE_DATABASE_URL is set), a debug build, migrations, demo data, then the
# server in the foreground.
#   ESTATE_HTTP_HOST (default 127.0.0.1), ESTATE_HTTP_PORT (default 8080)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

bash scripts/deps.sh

if [ -z "${ESTATE_DATABASE_URL:-}" ]; then
    bash scripts/pg.sh start
    ESTATE_DATABASE_URL="$(bash scripts/pg.sh url)"
fi
export ESTATE_DATABASE_URL
export ESTATE_HTTP_HOST="${ESTATE_HTTP_HOST:-127.0.0.1}"
export ESTATE_HTTP_PORT="${ESTATE_HTTP_PORT:-8080}"

swift build -c debug --product estate
.build/debug/estate migrate
.build/debug/estate seed --demo

echo "Estate API starting on http://$ESTATE_HTTP_HOST:$ESTATE_HTTP_PORT (database: $ESTATE_DATABASE_URL)"
exec .build/debug/estate serve
