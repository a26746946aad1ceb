#!/usr/bin/env bash
# Customers at scale (issue 5's benchmark): the duplicate check and the phone-fragment search over
# HTTP under concurrent load, against pgbench running the same SQL at the same concurrency.
#
#   BENCH_CLIENTS   space-separated concurrency levels (default 16)
#   BENCH_SECONDS   duration of each run in seconds (default 10)
#   BENCH_PROJECTS  scale projects to seed (default 40: about 1,040,000 customers)
#   BENCH_PORT      HTTP port of the benchmarked server (default 18081)
#   BENCH_KINDS     which requests to run: "check search" (default), or one of them
#
# The database `estate_customer_bench` gets the migrations and `estate seed --scale N` (kept
# between runs when it already holds those projects), plus group-wide duplicate rules (phone;
# ID number; name + phone: block). A release `estate serve` answers, signed in as
# scale.management (who reads every customer, unmasked):
#   check   POST /v1/customers/duplicate-check  {projectId, name, phones: [one existing number]}
#   search  GET  /v1/customers?phone=<the last 6 digits of an existing number>&limit=20
# each request with another of 2,000 existing numbers (a wrk Lua script). pgbench runs the
# statements the server sends for one such request (session, grants, then the request's own
# queries), prepared, with the same numbers.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

CLIENTS="${BENCH_CLIENTS:-16}"
SECONDS_PER_RUN="${BENCH_SECONDS:-10}"
PROJECTS="${BENCH_PROJECTS:-40}"
PORT="${BENCH_PORT:-18081}"
KINDS="${BENCH_KINDS:-check search}"

BENCH_DB=estate_customer_bench
# shellcheck source=bench-http-setup.sh
source scripts/bench-http-setup.sh
export ESTATE_DATABASE_URL="$DB_URL" ESTATE_LOG_LEVEL=error ESTATE_HTTP_PORT="$PORT" ESTATE_BCRYPT_COST=4

scale_bench_db "$PROJECTS" "
INSERT INTO duplicate_rules (group_id, id, project_id, name, field_sets, action)
SELECT id, gen_random_uuid(), NULL, 'Same person', '[[\"phone\"], [\"id_number\"], [\"name\", \"phone\"]]', 'block'
FROM groups WHERE code = 'scale'"
CUSTOMERS="$(psql_q "$DB_URL" -tA -c 'SELECT count(*) FROM customers')"
PHONES="$(psql_q "$DB_URL" -tA -c 'SELECT count(*) FROM customer_phones')"
echo "bench: $CUSTOMERS customers, $PHONES phones" >&2

WORK="$(mktemp -d /tmp/estate-customer-bench.XXXXXX)"
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
    -d '{"group":"scale","username":"scale.management","password":"demo-password-2026"}' \
    | sed -n -E 's/.*"token":"([^"]+)".*/\1/p')"
[ -n "$TOKEN" ] || { echo "bench: login failed" >&2; cat "$WORK/server.log" >&2; exit 1; }

# 2,000 existing customers spread over the group: project, name, first phone.
psql_q "$DB_URL" -tA -F ' ' -c "
    SELECT c.project_id, replace(c.name_key, ' ', '_'), p.number FROM customers c
    JOIN customer_phones p ON p.group_id = c.group_id AND p.customer_id = c.id AND p.position = 1
    ORDER BY hashtext(c.id::text) LIMIT 2000" >"$WORK/sample.txt"
psql_q "$DB_URL" -c "DROP TABLE IF EXISTS bench_sample" \
    -c "CREATE TABLE bench_sample (i int PRIMARY KEY, project_id uuid, name text, number text)" >/dev/null
awk '{ printf "%d\t%s\t%s\t%s\n", NR, $1, $2, $3 }' "$WORK/sample.txt" | sed 's/_/ /g' \
    | psql_q "$DB_URL" -c "COPY bench_sample FROM STDIN" >/dev/null

lua_list() { awk -v col="$1" 'BEGIN { printf "{" } { printf "%s\"%s\"", (NR > 1 ? "," : ""), $col } END { printf "}" }' "$WORK/sample.txt"; }
cat >"$WORK/check.lua" <<LUA
local projects = $(lua_list 1)
local names = $(lua_list 2)
local phones = $(lua_list 3)
local i = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $TOKEN"
request = function()
    i = (i % #phones) + 1
    local name = string.gsub(names[i], "_", " ")
    local body = '{"projectId":"' .. projects[i] .. '","name":"' .. name .. '","phones":["' .. phones[i] .. '"]}'
    return wrk.format(nil, "/v1/customers/duplicate-check", nil, body)
end
LUA
cat >"$WORK/search.lua" <<LUA
local phones = $(lua_list 3)
local i = 0
wrk.headers["Authorization"] = "Bearer $TOKEN"
request = function()
    i = (i % #phones) + 1
    return wrk.format("GET", "/v1/customers?limit=20&phone=" .. string.sub(phones[i], -6))
end
LUA

# The statements of one request, as the server sends them.
read -r GROUP_ID USER_ID <<<"$(psql_q "$DB_URL" -tA -F ' ' -c "SELECT group_id, id FROM users WHERE username = 'scale.management'")"
TOKEN_HASH="$(psql_q "$DB_URL" -tA -c "SELECT token_hash FROM sessions WHERE user_id = '$USER_ID' ORDER BY created_at DESC LIMIT 1")"
ROOT_UNIT="$(psql_q "$DB_URL" -tA -c "SELECT id FROM org_units WHERE group_id = '$GROUP_ID' AND parent_id IS NULL")"
AUTH="
SELECT s.id AS session_id, s.expires_at, u.group_id, u.id, u.org_unit_id, u.username, u.display_name, u.active, u.version,
       ARRAY(SELECT g.role FROM role_grants g LEFT JOIN custom_roles c ON c.group_id = g.group_id AND c.code = g.role
             WHERE g.group_id = u.group_id AND g.user_id = u.id ORDER BY g.role, g.org_unit_id) AS grant_roles,
       ARRAY(SELECT g.org_unit_id FROM role_grants g LEFT JOIN custom_roles c ON c.group_id = g.group_id AND c.code = g.role
             WHERE g.group_id = u.group_id AND g.user_id = u.id ORDER BY g.role, g.org_unit_id) AS grant_units,
       ARRAY(SELECT array_to_string(c.permissions, ' ') FROM role_grants g LEFT JOIN custom_roles c ON c.group_id = g.group_id AND c.code = g.role
             WHERE g.group_id = u.group_id AND g.user_id = u.id ORDER BY g.role, g.org_unit_id) AS grant_custom
FROM sessions s JOIN users u ON u.group_id = s.group_id AND u.id = s.user_id
WHERE s.group_id = '$GROUP_ID' AND s.token_hash = '$TOKEN_HASH' AND s.revoked_at IS NULL AND s.expires_at > now() AND u.active;"
cat >"$WORK/check.sql" <<SQL
\set i random(1, 2000)
SELECT project_id AS pid, name AS nm, number AS ph FROM bench_sample WHERE i = :i \gset
$AUTH
SELECT o.group_id, o.id, o.parent_id, o.kind, o.code, o.name, o.active, o.path, o.version,
       d.id AS rule_id, d.project_id AS rule_project_id, d.name AS rule_name, d.field_sets AS rule_field_sets,
       d.action AS rule_action, d.active AS rule_active
FROM org_units o LEFT JOIN duplicate_rules d ON d.group_id = o.group_id AND (d.project_id IS NULL OR d.project_id = o.id) AND d.active
WHERE o.group_id = '$GROUP_ID' AND o.id = :pid ORDER BY d.id;
WITH hits AS MATERIALIZED (SELECT id FROM (SELECT p.customer_id AS id FROM customer_phones p
                                            WHERE p.group_id = '$GROUP_ID' AND p.number = ANY(ARRAY[:ph])) h
                           WHERE h.id IS DISTINCT FROM NULL ORDER BY id LIMIT 100)
SELECT c.id, c.project_id, c.owner_id, c.name, c.name_key, c.id_number,
       (SELECT o.name FROM org_units o WHERE o.group_id = c.group_id AND o.id = c.project_id) AS project_name,
       (SELECT u.display_name FROM users u WHERE u.group_id = c.group_id AND u.id = c.owner_id) AS owner_name,
       ARRAY(SELECT p.number FROM customer_phones p WHERE p.group_id = c.group_id AND p.customer_id = c.id) AS phones
FROM hits JOIN customers c ON c.group_id = '$GROUP_ID' AND c.id = hits.id
WHERE c.merged_into IS NULL AND c.approval <> 'rejected' ORDER BY c.id;
SQL
cat >"$WORK/search.sql" <<SQL
\set i random(1, 2000)
SELECT '%' || right(number, 6) || '%' AS frag FROM bench_sample WHERE i = :i \gset
$AUTH
SELECT c.group_id, c.id, c.project_id, c.kind, c.name, c.gender, c.birth_date, c.id_type, c.id_number, c.email, c.address,
       c.occupation, c.income_band, c.family, c.habits, c.source, c.media, c.intent_grade, c.needs, c.focus, c.notes,
       c.owner_id, c.pooled_at, c.last_follow_up_at, c.protected_until, c.stage, c.approval, c.merged_into, c.created_by,
       c.version, c.created_at, c.updated_at, o.path,
       ARRAY(SELECT p.number FROM customer_phones p WHERE p.group_id = c.group_id AND p.customer_id = c.id ORDER BY p.position) AS phone_numbers,
       ARRAY(SELECT coalesce(p.label, '') FROM customer_phones p WHERE p.group_id = c.group_id AND p.customer_id = c.id ORDER BY p.position) AS phone_labels
FROM customers c JOIN org_units o ON o.group_id = c.group_id AND o.id = c.project_id
WHERE c.group_id = '$GROUP_ID' AND c.merged_into IS NULL AND c.approval <> 'rejected' AND (
    o.path && ARRAY['$ROOT_UNIT']::uuid[]
    OR (o.path && ARRAY[]::uuid[] AND (c.owner_id = '$USER_ID' OR c.owner_id IS NULL))
    OR EXISTS (SELECT 1 FROM customer_shares s WHERE s.group_id = c.group_id AND s.customer_id = c.id AND s.user_id = '$USER_ID'))
  AND EXISTS (SELECT 1 FROM customer_phones p WHERE p.group_id = c.group_id AND p.customer_id = c.id AND p.number LIKE :frag)
ORDER BY c.id LIMIT 20;
SQL
chmod 644 "$WORK"/*.sql

# run_wrk SCRIPT CLIENTS: prints "rps p50 p99".
run_wrk() {
    local script="$1" c="$2" jobs=2
    [ "$c" -lt "$jobs" ] && jobs="$c"
    local out
    out="$(wrk -t"$jobs" -c"$c" -d"${SECONDS_PER_RUN}s" --latency -s "$script" "http://127.0.0.1:$PORT")"
    echo "$out" >&2
    if printf '%s\n' "$out" | grep -q 'Non-2xx'; then echo "bench: the server answered errors" >&2; exit 1; fi
    printf '%s %s %s\n' \
        "$(printf '%s\n' "$out" | sed -n -E 's/^Requests\/sec: +([0-9.]+).*/\1/p')" \
        "$(printf '%s\n' "$out" | sed -n -E 's/^ +50% +([0-9.]+[a-z]+).*/\1/p')" \
        "$(printf '%s\n' "$out" | sed -n -E 's/^ +99% +([0-9.]+[a-z]+).*/\1/p')"
}
# run_pgbench SCRIPT CLIENTS: prints "tps avg".
run_pgbench() {
    local script="$1" c="$2" jobs=2
    [ "$c" -lt "$jobs" ] && jobs="$c"
    local out
    out="$(PGOPTIONS="${PGBENCH_OPTIONS:-}" "$PGBENCH" -M prepared -c "$c" -j "$jobs" -T "$SECONDS_PER_RUN" -n -r -f "$script" "$DB_URL" 2>&1)" \
        || { echo "$out" >&2; echo "bench: pgbench failed" >&2; exit 1; }
    echo "$out" | tail -n 20 >&2
    printf '%s %s\n' "$(printf '%s\n' "$out" | sed -n -E 's/^tps = ([0-9.]+) \(without initial connection time\).*/\1/p' | head -n 1)" \
        "$(printf '%s\n' "$out" | sed -n -E 's/^latency average = ([0-9.]+) ms.*/\1ms/p' | head -n 1)"
}

# Warm the caches: every sampled number once.
for kind in $KINDS; do wrk -t1 -c1 -d3s -s "$WORK/$kind.lua" "http://127.0.0.1:$PORT" >/dev/null; done
results=()
for kind in $KINDS; do
    for c in $CLIENTS; do
        echo "bench: $kind, wrk $c clients" >&2
        http="$(run_wrk "$WORK/$kind.lua" "$c")"
        echo "bench: $kind, pgbench $c clients" >&2
        # A fragment LIKE has no generic plan that uses the trigram index: pgbench's prepared
        # search gets custom plans, as the server's statements do (plan_cache_mode auto keeps them).
        options=""; [ "$kind" = search ] && options="-c plan_cache_mode=force_custom_plan"
        pg="$(PGBENCH_OPTIONS="$options" run_pgbench "$WORK/$kind.sql" "$c")"
        results+=("$kind $c $http $pg")
    done
done

echo
echo "Customers ($CUSTOMERS customers, $PHONES phones): HTTP vs pgbench running the request's statements; ${SECONDS_PER_RUN}s per run"
printf '%8s  %8s  %12s  %9s  %9s  %12s  %12s  %8s\n' request clients "HTTP req/s" "p50" "p99" "pgbench tps" "pgbench avg" "ratio"
for r in "${results[@]}"; do
    set -- $r
    awk -v k="$1" -v c="$2" -v rps="$3" -v p50="$4" -v p99="$5" -v tps="$6" -v lat="$7" 'BEGIN {
        ratio = (tps > 0) ? sprintf("%.1f%%", 100 * rps / tps) : "n/a"
        printf "%8s  %8d  %12.1f  %9s  %9s  %12.1f  %12s  %8s\n", k, c, rps, p50, p99, tps, lat, ratio
    }'
done
