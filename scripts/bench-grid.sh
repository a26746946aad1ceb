#!/usr/bin/env bash
# The building grid over HTTP under concurrent load, against pgbench running the
# same SQL at the same concurrency (issue 4's benchmark).
#
#   BENCH_CLIENTS  space-separated concurrency levels (default 16)
#   BENCH_SECONDS  duration of each run in seconds (default 10)
#   BENCH_PORT     HTTP port of the benchmarked server (default 18080)
#
# A fresh database `estate_grid_bench` gets the migrations, the demo data and a
# building `bench` of 30 floors × 4 entrances × 4 rooms (480 rooms, priced, mixed
# statuses) in the demo project. A release `estate serve` answers
# GET /v1/buildings/{id}/grid to wrk (HTTP/1.1 keep-alive, one connection per
# client) signed in as the demo sales controller, first with the grid cache on
# (the default: a poll costs the access check and the building's versions), then
# with it off (ESTATE_GRID_CACHE_ENTRIES=0: every request reads and renders the
# 480 rooms). pgbench runs, per "request", the statements the server sends for
# one uncached grid request (session, grants, building, rooms; each on its own,
# as the server reads them outside a transaction), prepared.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

CLIENTS="${BENCH_CLIENTS:-16}"
SECONDS_PER_RUN="${BENCH_SECONDS:-10}"
PORT="${BENCH_PORT:-18080}"

BENCH_DB=estate_grid_bench
# shellcheck source=bench-http-setup.sh
source scripts/bench-http-setup.sh

psql_q "$BASE_URL" -c 'DROP DATABASE IF EXISTS estate_grid_bench' -c 'CREATE DATABASE estate_grid_bench' >/dev/null
export ESTATE_DATABASE_URL="$DB_URL" ESTATE_LOG_LEVEL=error ESTATE_HTTP_PORT="$PORT" ESTATE_BCRYPT_COST=4
"$ESTATE" migrate >&2
"$ESTATE" seed --demo >/dev/null

BUILDING="$(psql_q "$DB_URL" -tA <<'SQL'
WITH p AS (SELECT group_id, id FROM org_units WHERE code = 'riverside'),
b AS (
    INSERT INTO buildings (group_id, id, project_id, code, name)
    SELECT group_id, gen_random_uuid(), id, 'bench', 'Benchmark tower' FROM p
    RETURNING group_id, id, project_id),
r AS (
    INSERT INTO rooms (group_id, id, project_id, building_id, entrance, floor, stack, number, kind, layout, orientation,
                       view, built_area_forecast, internal_area_forecast, pricing_basis, status, unit_price, list_price)
    SELECT b.group_id, gen_random_uuid(), b.project_id, b.id, e, f, s, e || '-' || f || lpad(s::text, 2, '0'), 'apartment',
           (ARRAY['2b1l', '3b2l', '3b2l', '4b2l'])[s], (ARRAY['S', 'N', 'E', 'W'])[s], 'river',
           area, round(area * 0.79, 2), 'built_area',
           (ARRAY['available', 'available', 'available', 'not_released', 'reserved', 'subscribed', 'contracted'])[1 + (f * 4 + e + s) % 7],
           30000 + f * 150, round(area * (30000 + f * 150), 2)
    FROM b, generate_series(1, 30) AS f, generate_series(1, 4) AS e, generate_series(1, 4) AS s,
         LATERAL (SELECT (ARRAY[89.50, 118.25, 124.75, 143.10])[s]::numeric AS area) AS a
    RETURNING building_id)
SELECT DISTINCT building_id FROM r;
SQL
)"
[ -n "$BUILDING" ] || { echo "bench: no building made" >&2; exit 1; }
psql_q "$DB_URL" -c 'VACUUM ANALYZE' >/dev/null

SERVER=""
SCRIPT_FILE="$(mktemp /tmp/estate-grid-pgbench.XXXXXX.sql)"
trap 'kill $SERVER 2>/dev/null || true; rm -f "$SCRIPT_FILE"' EXIT
# start_server ENTRIES: a server whose grid cache keeps ENTRIES grids (0: every request reads and renders).
start_server() {
    [ -z "$SERVER" ] || { kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; }
    ESTATE_GRID_CACHE_ENTRIES="$1" "$ESTATE" serve >/tmp/estate-grid-bench.log 2>&1 &
    SERVER=$!
    for _ in $(seq 1 100); do
        curl -fs "http://127.0.0.1:$PORT/health/ready" >/dev/null 2>&1 && return 0
        sleep 0.2
    done
    echo "bench: the server did not start" >&2; cat /tmp/estate-grid-bench.log >&2; exit 1
}
start_server 256
TOKEN="$(curl -fs -X POST "http://127.0.0.1:$PORT/v1/auth/login" -H 'Content-Type: application/json' \
    -d '{"group":"demo","username":"sales.controller","password":"demo-password-2026"}' \
    | sed -n -E 's/.*"token":"([^"]+)".*/\1/p')"
[ -n "$TOKEN" ] || { echo "bench: login failed" >&2; exit 1; }
GRID="http://127.0.0.1:$PORT/v1/buildings/$BUILDING/grid"
BYTES="$(curl -fs "$GRID" -H "Authorization: Bearer $TOKEN" | wc -c)"
echo "bench: grid of building $BUILDING is $BYTES bytes" >&2

# The statements of one grid request, as the server sends them (bound parameters fixed here).
read -r GROUP_ID USER_ID <<<"$(psql_q "$DB_URL" -tA -F ' ' -c "SELECT group_id, id FROM users WHERE username = 'sales.controller'")"
TOKEN_HASH="$(psql_q "$DB_URL" -tA -c "SELECT token_hash FROM sessions WHERE user_id = '$USER_ID' ORDER BY created_at DESC LIMIT 1")"
cat >"$SCRIPT_FILE" <<SQL
SELECT s.id AS session_id, s.expires_at, u.group_id, u.id, u.org_unit_id, u.username, u.display_name, u.active, u.version
FROM sessions s JOIN users u ON u.group_id = s.group_id AND u.id = s.user_id
WHERE s.group_id = '$GROUP_ID' AND s.token_hash = '$TOKEN_HASH' AND s.revoked_at IS NULL AND s.expires_at > now() AND u.active;
SELECT g.id, g.user_id, g.role, g.org_unit_id, c.permissions
FROM role_grants g LEFT JOIN custom_roles c ON c.group_id = g.group_id AND c.code = g.role
WHERE g.group_id = '$GROUP_ID' AND g.user_id = '$USER_ID' ORDER BY g.role, g.org_unit_id;
SELECT b.group_id, b.id, b.project_id, b.phase_id, b.code, b.name, b.version, b.grid_version, o.path
FROM buildings b JOIN org_units o ON o.group_id = b.group_id AND o.id = b.project_id
WHERE b.group_id = '$GROUP_ID' AND b.id = '$BUILDING';
SELECT id, number, entrance, floor, stack, kind, status, layout, coalesce(built_area_actual, built_area_forecast) AS built_area,
       unit_price, list_price
FROM rooms WHERE group_id = '$GROUP_ID' AND building_id = '$BUILDING' ORDER BY floor DESC, entrance, stack;
SQL
chmod 644 "$SCRIPT_FILE"

# run_wrk CLIENTS: one wrk run against the current server; prints "rps p50 p99".
run_wrk() {
    local c="$1" jobs=2
    [ "$c" -lt "$jobs" ] && jobs="$c"
    curl -fs "$GRID" -H "Authorization: Bearer $TOKEN" >/dev/null   # warm
    local out
    out="$(wrk -t"$jobs" -c"$c" -d"${SECONDS_PER_RUN}s" --latency -H "Authorization: Bearer $TOKEN" "$GRID")"
    echo "$out" >&2
    if printf '%s\n' "$out" | grep -q 'Non-2xx'; then echo "bench: the server answered errors" >&2; exit 1; fi
    printf '%s %s %s\n' \
        "$(printf '%s\n' "$out" | sed -n -E 's/^Requests\/sec: +([0-9.]+).*/\1/p')" \
        "$(printf '%s\n' "$out" | sed -n -E 's/^ +50% +([0-9.]+[a-z]+).*/\1/p')" \
        "$(printf '%s\n' "$out" | sed -n -E 's/^ +99% +([0-9.]+[a-z]+).*/\1/p')"
}

declare -A cached uncached
for c in $CLIENTS; do
    echo "bench: wrk $c clients, grid cache on" >&2
    cached[$c]="$(run_wrk "$c")"
done
start_server 0
for c in $CLIENTS; do
    echo "bench: wrk $c clients, grid cache off" >&2
    uncached[$c]="$(run_wrk "$c")"
done

results=()
for c in $CLIENTS; do
    jobs=2
    [ "$c" -lt "$jobs" ] && jobs="$c"
    echo "bench: pgbench -M prepared -c $c -j $jobs -T $SECONDS_PER_RUN (the request's statements)" >&2
    pg_out="$("$PGBENCH" -M prepared -c "$c" -j "$jobs" -T "$SECONDS_PER_RUN" -n -r -f "$SCRIPT_FILE" "$DB_URL" 2>&1)" \
        || { echo "$pg_out" >&2; echo "bench: pgbench failed" >&2; exit 1; }
    pg_tps="$(printf '%s\n' "$pg_out" | sed -n -E 's/^tps = ([0-9.]+) \(without initial connection time\).*/\1/p' | head -n 1)"
    pg_lat="$(printf '%s\n' "$pg_out" | sed -n -E 's/^latency average = ([0-9.]+ ms).*/\1/p' | head -n 1)"
    echo "$pg_out" | tail -n 12 >&2
    results+=("$c cached ${cached[$c]} $pg_tps ${pg_lat// /}")
    results+=("$c uncached ${uncached[$c]} $pg_tps ${pg_lat// /}")
done

echo
echo "Building grid (480 rooms, $BYTES bytes) over HTTP vs pgbench running the statements of an uncached request; ${SECONDS_PER_RUN}s per run"
printf '%8s  %9s  %12s  %9s  %9s  %12s  %12s  %8s\n' clients "grid cache" "HTTP req/s" "p50" "p99" "pgbench tps" "pgbench avg" "ratio"
for r in "${results[@]}"; do
    set -- $r
    awk -v c="$1" -v mode="$2" -v rps="$3" -v p50="$4" -v p99="$5" -v tps="$6" -v lat="$7" 'BEGIN {
        ratio = (tps > 0) ? sprintf("%.1f%%", 100 * rps / tps) : "n/a"
        printf "%8d  %9s  %12.1f  %9s  %9s  %12.1f  %12s  %8s\n", c, (mode == "cached" ? "on" : "off"), rps, p50, p99, tps, lat, ratio
    }'
done
