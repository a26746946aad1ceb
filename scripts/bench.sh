#!/usr/bin/env bash
# PQ (our libpq wrapper) against pgbench on the same query: a primary-key
# lookup in a 100 000-row table, prepared statements, over the unix socket.
#
#   BENCH_CLIENTS  space-separated concurrency levels (default 8), e.g. "1 8 32"
#   BENCH_SECONDS  duration of each run in seconds (default 10)
#
# `.build/release/EstateBench --url URL --clients C --seconds S` must print a
# line `PQ tps = <number>`.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

CLIENTS="${BENCH_CLIENTS:-8}"
SECONDS_PER_RUN="${BENCH_SECONDS:-10}"
ROWS=100000

bash scripts/deps.sh
bash scripts/pg.sh start
BASE_URL="$(bash scripts/pg.sh url)"
BENCH_URL="${BASE_URL/:\/\/\/estate\?/:///estate_bench?}"
[ "$BENCH_URL" != "$BASE_URL" ] || { echo "bench: cannot derive the bench URL from $BASE_URL" >&2; exit 1; }

PGBENCH=""
for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V); do
    [ -x "$d/pgbench" ] && PGBENCH="$d/pgbench"
done
[ -n "$PGBENCH" ] || PGBENCH="$(command -v pgbench)" || { echo "bench: pgbench not found" >&2; exit 1; }

psql_q() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }

if [ "$(psql_q "$BASE_URL" -tAc "SELECT 1 FROM pg_database WHERE datname = 'estate_bench'")" != 1 ]; then
    echo "bench: creating database estate_bench" >&2
    psql_q "$BASE_URL" -c 'CREATE DATABASE estate_bench' >/dev/null
fi
have_rows=-1
if [ "$(psql_q "$BENCH_URL" -tAc "SELECT to_regclass('public.bench_accounts') IS NOT NULL")" = t ]; then
    have_rows="$(psql_q "$BENCH_URL" -tAc "SELECT count(*) FROM bench_accounts")"
fi
if [ "$have_rows" != "$ROWS" ]; then
    echo "bench: creating table bench_accounts with $ROWS rows" >&2
    psql_q "$BENCH_URL" >/dev/null <<SQL
SET client_min_messages = warning;
DROP TABLE IF EXISTS bench_accounts;
CREATE TABLE bench_accounts (
    id bigint PRIMARY KEY,
    name text NOT NULL,
    balance numeric(18,2) NOT NULL
);
INSERT INTO bench_accounts (id, name, balance)
SELECT i, 'account ' || i, round((i * 37 % 1000000) / 100.0, 2)
FROM generate_series(1, $ROWS) AS i;
VACUUM ANALYZE bench_accounts;
SQL
fi

echo "bench: swift build -c release --product EstateBench" >&2
swift build -c release --product EstateBench
BENCH_BIN="$ROOT/.build/release/EstateBench"

SCRIPT_FILE="$(mktemp /tmp/estate-pgbench.XXXXXX.sql)"
trap 'rm -f "$SCRIPT_FILE"' EXIT
cat >"$SCRIPT_FILE" <<SQL
\set id random(1, $ROWS)
SELECT id, name, balance FROM bench_accounts WHERE id = :id;
SQL
chmod 644 "$SCRIPT_FILE"

results=()
for c in $CLIENTS; do
    jobs=2
    [ "$c" -lt "$jobs" ] && jobs="$c"

    echo "bench: pgbench -M prepared -c $c -j $jobs -T $SECONDS_PER_RUN" >&2
    pg_out="$("$PGBENCH" -M prepared -c "$c" -j "$jobs" -T "$SECONDS_PER_RUN" -n -f "$SCRIPT_FILE" "$BENCH_URL" 2>&1)" \
        || { echo "$pg_out" >&2; echo "bench: pgbench failed" >&2; exit 1; }
    pg_tps="$(printf '%s\n' "$pg_out" | sed -n -E 's/^tps = ([0-9.]+) \(without initial connection time\).*/\1/p' | head -n 1)"
    [ -n "$pg_tps" ] || { echo "$pg_out" >&2; echo "bench: no tps in pgbench output" >&2; exit 1; }
    echo "bench:   pgbench tps = $pg_tps" >&2

    echo "bench: EstateBench --clients $c --seconds $SECONDS_PER_RUN" >&2
    pq_out="$("$BENCH_BIN" --url "$BENCH_URL" --clients "$c" --seconds "$SECONDS_PER_RUN" 2>&1)" \
        || { echo "$pq_out" >&2; echo "bench: EstateBench failed" >&2; exit 1; }
    pq_tps="$(printf '%s\n' "$pq_out" | sed -n -E 's/^PQ tps = ([0-9.eE+-]+).*/\1/p' | head -n 1)"
    [ -n "$pq_tps" ] || { echo "$pq_out" >&2; echo "bench: no 'PQ tps = ' line in EstateBench output" >&2; exit 1; }
    echo "bench:   PQ tps = $pq_tps" >&2

    results+=("$c $pg_tps $pq_tps")
done

echo
echo "PQ vs pgbench: SELECT by primary key, $ROWS rows, ${SECONDS_PER_RUN}s per run, prepared, unix socket"
printf '%8s  %14s  %14s  %8s\n' clients "pgbench tps" "PQ tps" "ratio"
for r in "${results[@]}"; do
    set -- $r
    awk -v c="$1" -v a="$2" -v b="$3" 'BEGIN {
        ratio = (a > 0) ? sprintf("%.1f%%", 100 * b / a) : "n/a"
        printf "%8d  %14.1f  %14.1f  %8s\n", c, a, b, ratio
    }'
done
