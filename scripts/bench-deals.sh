#!/usr/bin/env bash
# Subscriptions over HTTP (issue 6's benchmark): POST /v1/deals subscribing distinct available
# rooms, and every client subscribing one hot room (one wins, the rest are 409s), against pgbench
# running the core statements of a subscription (rolled back) at the same concurrency.
#
#   BENCH_CLIENTS   space-separated concurrency levels (default "1 16 64")
#   BENCH_SECONDS   duration of each run in seconds (default 10)
#   BENCH_PROJECTS  scale projects to seed (default 4: about 11,000 rooms)
#   BENCH_PORT      HTTP port of the benchmarked server (default 18082)
#
# The database `estate_deal_bench` gets the migrations and `estate seed --scale N` (kept between
# runs) and a user `bench.sales` with the sales manager role at the group's root. Before each run
# the deals the benchmark made are removed and their rooms made available again (triggers off for
# that session only), so every run subscribes rooms that are free.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

CLIENTS="${BENCH_CLIENTS:-1 16 64}"
SECONDS_PER_RUN="${BENCH_SECONDS:-10}"
PROJECTS="${BENCH_PROJECTS:-4}"
PORT="${BENCH_PORT:-18082}"

BENCH_DB=estate_deal_bench
# shellcheck source=bench-http-setup.sh
source scripts/bench-http-setup.sh
export ESTATE_DATABASE_URL="$DB_URL" ESTATE_LOG_LEVEL=error ESTATE_HTTP_PORT="$PORT" ESTATE_BCRYPT_COST=4

scale_bench_db "$PROJECTS"
# The benchmark's user: a sales manager at the group's root (deals anywhere, every customer).
psql_q "$DB_URL" <<'SQL' >/dev/null
INSERT INTO users (group_id, id, org_unit_id, username, display_name, password_hash)
SELECT g.id, gen_random_uuid(), o.id, 'bench.sales', 'Bench sales', u.password_hash
FROM groups g JOIN org_units o ON o.group_id = g.id AND o.parent_id IS NULL
JOIN users u ON u.group_id = g.id AND u.username = 'scale.management'
WHERE g.code = 'scale' ON CONFLICT DO NOTHING;
INSERT INTO role_grants (group_id, id, user_id, role, org_unit_id)
SELECT u.group_id, gen_random_uuid(), u.id, 'sales_manager', u.org_unit_id FROM users u WHERE u.username = 'bench.sales'
ON CONFLICT DO NOTHING;
SQL
read -r GROUP_ID USER_ID <<<"$(psql_q "$DB_URL" -tA -F ' ' -c "SELECT group_id, id FROM users WHERE username = 'bench.sales'")"

# Removes the benchmark's deals and frees their rooms (and the rooms pgbench's rolled-back work never touched).
reset_deals() {
    psql_q "$DB_URL" >/dev/null <<SQL
SET session_replication_role = replica;
CREATE TEMP TABLE gone AS SELECT group_id, id, room_id FROM deals WHERE created_by = 'user:$USER_ID';
DELETE FROM allocations a USING gone g WHERE a.group_id = g.group_id AND a.deal_id = g.id;
DELETE FROM receivables r USING gone g WHERE r.group_id = g.group_id AND r.deal_id = g.id;
DELETE FROM deal_buyers b USING gone g WHERE b.group_id = g.group_id AND b.deal_id = g.id;
DELETE FROM deal_history h USING gone g WHERE h.group_id = g.group_id AND h.deal_id = g.id;
DELETE FROM deals d USING gone g WHERE d.group_id = g.group_id AND d.id = g.id;
DELETE FROM room_status_history h USING gone g WHERE h.group_id = g.group_id AND h.deal_id = g.id;
UPDATE rooms r SET status = 'available', version = version + 1 FROM gone g WHERE r.group_id = g.group_id AND r.id = g.room_id;
SQL
}
reset_deals

WORK="$(mktemp -d /tmp/estate-deal-bench.XXXXXX)"
chmod 755 "$WORK"
SERVER=""
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
"$ESTATE" serve >"$WORK/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:$PORT/health/ready" >/dev/null 2>&1 && break
    sleep 0.2
done
TOKEN="$(curl -fs -X POST "http://127.0.0.1:$PORT/v1/auth/login" -H 'Content-Type: application/json' \
    -d '{"group":"scale","username":"bench.sales","password":"demo-password-2026"}' \
    | sed -n -E 's/.*"token":"([^"]+)".*/\1/p')"
[ -n "$TOKEN" ] || { echo "bench: login failed" >&2; cat "$WORK/server.log" >&2; exit 1; }

# Available priced rooms, each with a customer of its project (the buyer), in a stable order.
psql_q "$DB_URL" -tA -F ' ' -c "
    SELECT r.id, (SELECT c.id FROM customers c WHERE c.group_id = r.group_id AND c.project_id = r.project_id
                  ORDER BY c.id OFFSET (abs(hashtext(r.id::text)) % 500) LIMIT 1)
    FROM rooms r WHERE r.group_id = '$GROUP_ID' AND r.status = 'available' AND r.list_price > 0 AND r.kind <> 'parking'
    ORDER BY hashtext(r.id::text)" >"$WORK/rooms.txt"
ROOMS="$(wc -l <"$WORK/rooms.txt")"
echo "bench: $ROOMS available rooms" >&2
psql_q "$DB_URL" -c "DROP TABLE IF EXISTS bench_rooms" \
    -c "CREATE TABLE bench_rooms (i int PRIMARY KEY, room_id uuid, customer_id uuid)" >/dev/null
awk '{ printf "%d\t%s\t%s\n", NR, $1, $2 }' "$WORK/rooms.txt" | psql_q "$DB_URL" -c "COPY bench_rooms FROM STDIN" >/dev/null

lua_list() { awk -v col="$1" 'BEGIN { printf "{" } { printf "%s\"%s\"", (NR > 1 ? "," : ""), $col } END { printf "}" }' "$WORK/rooms.txt"; }
BODY_TAIL='"subscription":{"paymentMethod":"full","deposit":{"kind":"earnest","amount":"50000"}}}'
# Distinct rooms: each wrk thread takes every n-th room from its own offset, so no two requests share one.
cat >"$WORK/distinct.lua" <<LUA
local rooms = $(lua_list 1)
local customers = $(lua_list 2)
local started = 0
-- wrk runs at most two threads here: thread n takes rooms n+2, n+4, ...
function setup(thread)
    thread:set("i", started)
    started = started + 1
end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $TOKEN"
request = function()
    i = i + 2
    local k = ((i - 1) % #rooms) + 1
    local body = '{"roomId":"' .. rooms[k] .. '","buyers":[{"customerId":"' .. customers[k] .. '"}],$BODY_TAIL'
    return wrk.format(nil, "/v1/deals", nil, body)
end
LUA
HOT_ROOM="$(head -n 1 "$WORK/rooms.txt" | cut -d' ' -f1)"
HOT_CUSTOMER="$(head -n 1 "$WORK/rooms.txt" | cut -d' ' -f2)"
cat >"$WORK/hot.lua" <<LUA
wrk.method = "POST"
wrk.path = "/v1/deals"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $TOKEN"
wrk.body = '{"roomId":"$HOT_ROOM","buyers":[{"customerId":"$HOT_CUSTOMER"}],$BODY_TAIL'
LUA

# The core statements of one subscription, as the server sends them, rolled back so that the
# rooms stay free: lock the room, read the buyer and the price inputs, write the deal, buyers,
# receivables, the room's new status and both histories.
TOKEN_HASH="$(psql_q "$DB_URL" -tA -c "SELECT token_hash FROM sessions WHERE user_id = '$USER_ID' ORDER BY created_at DESC LIMIT 1")"
pgbench_script() {
    local pick="$1"
    cat <<SQL
$pick
SELECT s.id, s.expires_at, u.id, u.username, ARRAY(SELECT g.role FROM role_grants g WHERE g.group_id = u.group_id AND g.user_id = u.id) AS roles
FROM sessions s JOIN users u ON u.group_id = s.group_id AND u.id = s.user_id
WHERE s.group_id = '$GROUP_ID' AND s.token_hash = '$TOKEN_HASH' AND s.revoked_at IS NULL AND s.expires_at > now() AND u.active;
BEGIN;
SELECT r.id, r.status, r.list_price, r.floor_price, r.project_id, r.building_id, o.path FROM rooms r
JOIN org_units o ON o.group_id = r.group_id AND o.id = r.project_id WHERE r.group_id = '$GROUP_ID' AND r.id = :room FOR UPDATE OF r;
SELECT c.id, c.owner_id, c.project_id FROM customers c WHERE c.group_id = '$GROUP_ID' AND c.id = :customer;
SELECT access FROM customer_shares WHERE group_id = '$GROUP_ID' AND customer_id = :customer AND user_id = '$USER_ID';
SELECT time_zone FROM groups WHERE id = '$GROUP_ID';
SELECT code, active FROM dictionary_entries WHERE group_id = '$GROUP_ID' AND dictionary = 'payment_methods';
SELECT id FROM discount_schemes WHERE group_id = '$GROUP_ID' AND id = ANY('{}'::uuid[]);
UPDATE rooms SET status = 'subscribed', version = version + 1, updated_at = now()
WHERE group_id = '$GROUP_ID' AND id = :room AND status = 'available';
INSERT INTO room_status_history (group_id, id, room_id, from_status, to_status, event, actor)
VALUES ('$GROUP_ID', gen_random_uuid(), :room, 'available', 'subscribed', 'subscribe', 'user:$USER_ID');
INSERT INTO deals (group_id, id, project_id, room_id, owner_id, stage, deposit_kind, deposit_amount, list_price, final_price,
                   payment_method, payment_terms, subscribed_on, created_by)
SELECT group_id, gen_random_uuid(), project_id, id, '$USER_ID', 'subscribed', 'earnest', 50000, list_price, list_price,
       'full', '{"method":"full","downPaymentDueDays":7,"loanDueDays":90}', current_date, 'user:$USER_ID'
FROM rooms WHERE group_id = '$GROUP_ID' AND id = :room RETURNING id AS deal \gset
INSERT INTO deal_buyers (group_id, deal_id, customer_id, position, share_bp) VALUES ('$GROUP_ID', :deal, :customer, 1, 10000);
INSERT INTO receivables (group_id, id, deal_id, position, kind, due_on, amount)
SELECT '$GROUP_ID', gen_random_uuid(), :deal, x.p, x.k, current_date + x.d, x.a
FROM (VALUES (1, 'deposit', 0, 50000::numeric), (2, 'down_payment', 7, 950000::numeric)) AS x(p, k, d, a);
SELECT d.id, d.stage, d.version FROM deals d WHERE d.group_id = '$GROUP_ID' AND d.id = :deal;
INSERT INTO deal_history (group_id, id, deal_id, event, to_stage, actor) VALUES ('$GROUP_ID', gen_random_uuid(), :deal, 'subscribe', 'subscribed', 'user:$USER_ID');
SELECT id, kind, amount, paid FROM receivables WHERE group_id = '$GROUP_ID' AND deal_id = :deal AND superseded_at IS NULL ORDER BY position;
ROLLBACK;
SQL
}
pgbench_script "\\set i random(1, $ROOMS)
SELECT room_id AS room, customer_id AS customer FROM bench_rooms WHERE i = :i \\gset" >"$WORK/distinct.sql"
pgbench_script "\\set i 1
SELECT room_id AS room, customer_id AS customer FROM bench_rooms WHERE i = :i \\gset" >"$WORK/hot.sql"
chmod 644 "$WORK"/*.sql

# run_wrk SCRIPT CLIENTS: prints "rps p50 p99 non2xx".
run_wrk() {
    local script="$1" c="$2" jobs=2
    [ "$c" -lt "$jobs" ] && jobs="$c"
    local out
    out="$(wrk -t"$jobs" -c"$c" -d"${SECONDS_PER_RUN}s" --latency -s "$script" "http://127.0.0.1:$PORT")"
    echo "$out" >&2
    printf '%s %s %s %s\n' \
        "$(printf '%s\n' "$out" | sed -n -E 's/^Requests\/sec: +([0-9.]+).*/\1/p')" \
        "$(printf '%s\n' "$out" | sed -n -E 's/^ +50% +([0-9.]+[a-z]+).*/\1/p')" \
        "$(printf '%s\n' "$out" | sed -n -E 's/^ +99% +([0-9.]+[a-z]+).*/\1/p')" \
        "$(printf '%s\n' "$out" | sed -n -E 's/^ +Non-2xx or 3xx responses: +([0-9]+).*/\1/p' | grep . || echo 0)"
}
run_pgbench() {
    local script="$1" c="$2" jobs=2
    [ "$c" -lt "$jobs" ] && jobs="$c"
    local out
    out="$("$PGBENCH" -M prepared -c "$c" -j "$jobs" -T "$SECONDS_PER_RUN" -n -f "$script" "$DB_URL" 2>&1)" \
        || { echo "$out" >&2; echo "bench: pgbench failed" >&2; exit 1; }
    echo "$out" | tail -n 8 >&2
    printf '%s %s\n' "$(printf '%s\n' "$out" | sed -n -E 's/^tps = ([0-9.]+) \(without initial connection time\).*/\1/p' | head -n 1)" \
        "$(printf '%s\n' "$out" | sed -n -E 's/^latency average = ([0-9.]+) ms.*/\1ms/p' | head -n 1)"
}

results=()
for kind in distinct hot; do
    for c in $CLIENTS; do
        reset_deals
        echo "bench: $kind, wrk $c clients" >&2
        http="$(run_wrk "$WORK/$kind.lua" "$c")"
        made="$(psql_q "$DB_URL" -tA -c "SELECT count(*) FROM deals WHERE created_by = 'user:$USER_ID'")"
        if [ "$kind" = distinct ] && [ "$(echo "$http" | cut -d' ' -f4)" != 0 ]; then
            echo "bench: distinct rooms answered errors" >&2; tail -n 20 "$WORK/server.log" >&2; exit 1
        fi
        if [ "$kind" = hot ] && [ "$made" != 1 ]; then echo "bench: the hot room has $made deals" >&2; exit 1; fi
        reset_deals
        echo "bench: $kind, pgbench $c clients" >&2
        pg="$(run_pgbench "$WORK/$kind.sql" "$c")"
        results+=("$kind $c $http $made $pg")
    done
done
reset_deals

echo
echo "Subscriptions (POST /v1/deals, full payment): HTTP vs pgbench running the core statements (rolled back); ${SECONDS_PER_RUN}s per run"
printf '%9s  %8s  %11s  %9s  %9s  %8s  %6s  %12s  %11s  %7s\n' rooms clients "HTTP req/s" p50 p99 refused deals "pgbench tps" "pgbench avg" ratio
for r in "${results[@]}"; do
    set -- $r
    awk -v k="$1" -v c="$2" -v rps="$3" -v p50="$4" -v p99="$5" -v bad="$6" -v made="$7" -v tps="$8" -v lat="$9" 'BEGIN {
        ratio = (tps > 0) ? sprintf("%.1f%%", 100 * rps / tps) : "n/a"
        printf "%9s  %8d  %11.1f  %9s  %9s  %8d  %6d  %12.1f  %11s  %7s\n", k, c, rps, p50, p99, bad, made, tps, lat, ratio
    }'
done
