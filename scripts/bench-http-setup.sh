# Shared set-up of the HTTP benchmarks (sourced by bench-grid.sh, bench-customers.sh and
# bench-deals.sh): wrk and a local cluster, BENCH_DB's URL as DB_URL (BASE_URL: the cluster's own),
# pgbench as PGBENCH, psql_q, a release `estate` as ESTATE, and scale_bench_db.
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

# scale_bench_db PROJECTS [SQL]: BENCH_DB migrated and seeded by `estate seed --scale PROJECTS`
# (kept between runs when it already holds that many scale projects); SQL runs once after a
# fresh seed, before the statistics are gathered. Needs ESTATE_DATABASE_URL set to DB_URL.
scale_bench_db() {
    local projects="$1" after_seed="${2:-}"
    if ! psql_q "$BASE_URL" -tA -c "SELECT 1 FROM pg_database WHERE datname = '$BENCH_DB'" | grep -q 1 \
       || [ "$(psql_q "$DB_URL" -tA -c "SELECT count(*) FROM org_units WHERE code LIKE 'scale-p%'" 2>/dev/null || echo 0)" -lt "$projects" ]; then
        psql_q "$BASE_URL" -c "DROP DATABASE IF EXISTS $BENCH_DB WITH (FORCE)" -c "CREATE DATABASE $BENCH_DB" >/dev/null
        "$ESTATE" migrate >&2
        echo "bench: estate seed --scale $projects (a few minutes at 40)" >&2
        "$ESTATE" seed --scale "$projects" --jobs 2 >&2
        [ -z "$after_seed" ] || psql_q "$DB_URL" -c "$after_seed" >/dev/null
        psql_q "$DB_URL" -c 'VACUUM ANALYZE' >/dev/null
    else
        "$ESTATE" migrate >&2
    fi
}
