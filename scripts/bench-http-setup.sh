# Shared set-up of the HTTP benchmarks (sourced by bench-grid.sh and bench-customers.sh): wrk and a
# local cluster, BENCH_DB's URL as DB_URL (BASE_URL: the cluster's own), pgbench as PGBENCH,
# psql_q, and a release `estate` as ESTATE.
#   usage: BENCH_DB=estate_x_bench; source scripts/bench-http-setup.sh
bash scripts/deps.sh wrk
bash scripts/pg.sh start
BASE_URL="$(bash scripts/pg.sh url)"
DB_URL="${BASE_URL/:\/\/\/estate\?/:///$BENCH_DB?}"
[ "$DB_URL" != "$BASE_URL" ] || { echo "bench: cannot derive the bench URL from $BASE_URL" >&2; exit 1; }

PGBENCH=""
for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V); do
    [ -x "$d/pgbench" ] && PGBENCH="$d/pgbench"
done
[ -n "$PGBENCH" ] || PGBENCH="$(command -v pgbench)" || { echo "bench: pgbench not found" >&2; exit 1; }
psql_q() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }

echo "bench: swift build -c release --product estate" >&2
swift build -c release --product estate >&2
ESTATE="$ROOT/.build/release/estate"
