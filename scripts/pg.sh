#!/usr/bin/env bash
# A throwaway local PostgreSQL cluster for development and tests.
#
#   scripts/pg.sh start|stop|restart|status|url|env
#
# The cluster listens on a unix socket only, in a folder of its own, and holds
# one database `estate`. It is tuned for speed, not durability (fsync=off).
#
# Where things live:
#   data    $ESTATE_PG_DIR, else <repo>/.data/pg when the `postgres` user can
#           reach the repo (only matters as root), else /tmp/estate-pg-<hash>/data
#   socket  <repo>/.data/run when the data is there and the path is short and
#           plain, else /tmp/estate-pg-<hash>/run
#   log     <data>/server.log
# <hash> is the first 8 hex digits of sha256 of the repo path (or of
# $ESTATE_PG_DIR when that is set). $ESTATE_PG_PORT picks the port (default
# 5432; it only names the socket file, nothing listens on TCP).
#
# As root, PostgreSQL runs as the `postgres` system user (it refuses root).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DB_NAME=estate
PG_USER=postgres
PORT="${ESTATE_PG_PORT:-5432}"

log() { echo "pg: $*" >&2; }
die() { echo "pg: error: $*" >&2; exit 1; }

IS_ROOT=0
[ "$(id -u)" -eq 0 ] && IS_ROOT=1

# --- binaries -----------------------------------------------------------------
find_bindir() {
    local d best=""
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V); do
        [ -x "$d/initdb" ] && best="$d"
    done
    if [ -z "$best" ] && command -v pg_config >/dev/null 2>&1; then
        d="$(pg_config --bindir 2>/dev/null || true)"
        [ -n "$d" ] && [ -x "$d/initdb" ] && best="$d"
    fi
    if [ -z "$best" ] && command -v initdb >/dev/null 2>&1; then
        best="$(dirname "$(command -v initdb)")"
    fi
    [ -n "$best" ] || die "no PostgreSQL server binaries (initdb) found; run scripts/deps.sh"
    echo "$best"
}

# --- locations ----------------------------------------------------------------
short_hash() { printf '%s' "$1" | sha256sum | cut -c1-8; }

# True when the server's user can reach (search) the directory.
server_can_reach() {
    if [ "$IS_ROOT" -eq 1 ]; then
        (cd / && runuser -u "$PG_USER" -- test -x "$1") 2>/dev/null
    else
        test -x "$1"
    fi
}

# A socket folder must be short (sun_path is 108 bytes incl. the file name)
# and plain enough to sit in a URL query without escaping.
socket_dir_ok() {
    local sock="$1/.s.PGSQL.$PORT"
    [ "${#sock}" -lt 100 ] && [[ "$1" =~ ^[A-Za-z0-9/._-]+$ ]]
}

resolve_dirs() {
    local tmpbase
    if [ -n "${ESTATE_PG_DIR:-}" ]; then
        DATA_DIR="$ESTATE_PG_DIR"
        case "$DATA_DIR" in /*) ;; *) DATA_DIR="$PWD/$DATA_DIR" ;; esac
        tmpbase="/tmp/estate-pg-$(short_hash "$DATA_DIR")"
        SOCKET_DIR="$tmpbase/run"
    else
        tmpbase="/tmp/estate-pg-$(short_hash "$ROOT")"
        if server_can_reach "$ROOT"; then
            DATA_DIR="$ROOT/.data/pg"
            SOCKET_DIR="$ROOT/.data/run"
            socket_dir_ok "$SOCKET_DIR" || SOCKET_DIR="$tmpbase/run"
        else
            DATA_DIR="$tmpbase/data"
            SOCKET_DIR="$tmpbase/run"
        fi
    fi
    LOG_FILE="$DATA_DIR/server.log"
    URL="postgresql:///$DB_NAME?host=$SOCKET_DIR&user=$PG_USER"
    [ "$PORT" = 5432 ] || URL="$URL&port=$PORT"
}

# --- running commands as the server's user ------------------------------------
as_server() {
    if [ "$IS_ROOT" -eq 1 ]; then
        (cd / && runuser -u "$PG_USER" -- env LC_ALL=C "$@")
    else
        env LC_ALL=C "$@"
    fi
}

# Creates a folder (and parents) the server's user owns.
make_server_dir() {
    local dir="$1" mode="$2"
    mkdir -p "$dir"
    if [ "$IS_ROOT" -eq 1 ]; then
        # Parents we created under /tmp or .data must be searchable by postgres.
        local parent
        parent="$(dirname "$dir")"
        case "$parent" in
            /tmp/estate-pg-*|"$ROOT/.data") chmod 755 "$parent" ;;
        esac
        chown "$PG_USER:" "$dir"
    fi
    chmod "$mode" "$dir"
}

psql_admin() {
    "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$SOCKET_DIR" -p "$PORT" -U "$PG_USER" -d postgres "$@"
}

is_running() {
    [ -f "$DATA_DIR/PG_VERSION" ] || return 1
    as_server "$BIN/pg_ctl" -D "$DATA_DIR" status >/dev/null 2>&1
}

wait_ready() {
    local _
    for _ in $(seq 1 150); do
        if "$BIN/pg_isready" -q -h "$SOCKET_DIR" -p "$PORT" -U "$PG_USER" -d postgres 2>/dev/null; then
            return 0
        fi
        sleep 0.2
    done
    log "server not ready after 30 s; last lines of $LOG_FILE:"
    tail -n 20 "$LOG_FILE" >&2 2>/dev/null || true
    return 1
}

init_cluster() {
    local bin_major
    bin_major="$("$BIN/postgres" --version | sed -E 's/.* ([0-9]+)(\.[0-9]+)*.*/\1/')"
    if [ -f "$DATA_DIR/PG_VERSION" ] && [ "$(cat "$DATA_DIR/PG_VERSION")" != "$bin_major" ]; then
        log "data folder $DATA_DIR is from PostgreSQL $(cat "$DATA_DIR/PG_VERSION"), binaries are $bin_major: recreating it"
        rm -rf "$DATA_DIR"
    fi
    if [ ! -f "$DATA_DIR/PG_VERSION" ]; then
        log "initdb $DATA_DIR"
        rm -rf "$DATA_DIR"
        make_server_dir "$DATA_DIR" 700
        local locale_args=(--locale=C.UTF-8)
        if ! locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$'; then
            locale_args=(--no-locale)
        fi
        if ! as_server "$BIN/initdb" -D "$DATA_DIR" --auth=trust -U "$PG_USER" --encoding=UTF8 \
                "${locale_args[@]}" >"/tmp/estate-initdb.$$.log" 2>&1; then
            if [ "${locale_args[0]}" != --no-locale ]; then
                log "initdb with C.UTF-8 failed; retrying with --no-locale"
                rm -rf "$DATA_DIR"
                make_server_dir "$DATA_DIR" 700
                as_server "$BIN/initdb" -D "$DATA_DIR" --auth=trust -U "$PG_USER" --encoding=UTF8 \
                    --no-locale >"/tmp/estate-initdb.$$.log" 2>&1 \
                    || { cat "/tmp/estate-initdb.$$.log" >&2; rm -f "/tmp/estate-initdb.$$.log"; die "initdb failed"; }
            else
                cat "/tmp/estate-initdb.$$.log" >&2; rm -f "/tmp/estate-initdb.$$.log"; die "initdb failed"
            fi
        fi
        rm -f "/tmp/estate-initdb.$$.log"
        echo "include_if_exists = 'estate.conf'" | as_server tee -a "$DATA_DIR/postgresql.conf" >/dev/null
    fi
    # Rewritten on every start so that the socket folder always matches.
    as_server tee "$DATA_DIR/estate.conf" >/dev/null <<CONF
# Written by scripts/pg.sh: a throwaway cluster for development and tests.
listen_addresses = ''
port = $PORT
unix_socket_directories = '$SOCKET_DIR'
unix_socket_permissions = 0777
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 300
shared_buffers = 256MB
logging_collector = off
log_min_messages = warning
log_line_prefix = '%m [%p] %q%u@%d '
CONF
}

ensure_database() {
    local exists
    exists="$(psql_admin -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'")"
    if [ "$exists" != 1 ]; then
        log "creating database $DB_NAME"
        psql_admin -c "CREATE DATABASE \"$DB_NAME\"" >/dev/null
    fi
}

cmd_start() {
    if is_running; then
        wait_ready
        ensure_database
        return 0
    fi
    init_cluster
    make_server_dir "$SOCKET_DIR" 755
    log "starting PostgreSQL (data $DATA_DIR, socket $SOCKET_DIR)"
    if ! as_server "$BIN/pg_ctl" -D "$DATA_DIR" -l "$LOG_FILE" -w -t 30 start >/dev/null; then
        log "pg_ctl start failed; last lines of $LOG_FILE:"
        tail -n 20 "$LOG_FILE" >&2 2>/dev/null || true
        exit 1
    fi
    wait_ready
    ensure_database
}

cmd_stop() {
    if is_running; then
        as_server "$BIN/pg_ctl" -D "$DATA_DIR" -m fast -w -t 30 stop >/dev/null 2>&1 || true
    fi
    return 0
}

cmd_restart() {
    if ! is_running; then
        cmd_start
        return
    fi
    make_server_dir "$SOCKET_DIR" 755
    if ! as_server "$BIN/pg_ctl" -D "$DATA_DIR" -l "$LOG_FILE" -m fast -w -t 30 restart >/dev/null; then
        log "pg_ctl restart failed; last lines of $LOG_FILE:"
        tail -n 20 "$LOG_FILE" >&2 2>/dev/null || true
        exit 1
    fi
    wait_ready
}

cmd_status() {
    if is_running; then
        echo "running: data $DATA_DIR, socket $SOCKET_DIR, url $URL"
    else
        echo "stopped: data $DATA_DIR, socket $SOCKET_DIR"
        return 3
    fi
}

BIN="$(find_bindir)"
resolve_dirs

case "${1:-}" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    restart) cmd_restart ;;
    status) cmd_status ;;
    url) echo "$URL" ;;
    env)
        echo "export ESTATE_DATABASE_URL='$URL'"
        echo "export ESTATE_TEST_DATABASE_URL='$URL'"
        ;;
    *)
        echo "usage: $0 start|stop|restart|status|url|env" >&2
        exit 2
        ;;
esac
