#!/usr/bin/env bash
# Ensures the system packages and the repo-local Python venv that the build,
# the tests and the tools need. Idempotent; does nothing slow when all is there.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
log() { echo "deps: $*" >&2; }

APT_PACKAGES=(libpq-dev libxml2-dev libssl-dev pkg-config postgresql postgresql-contrib python3-venv)
# Extra packages a caller needs (e.g. `scripts/deps.sh wrk` for the grid benchmark).
APT_PACKAGES+=("$@")
# pip package -> the command it installs into .venv/bin (a cheap presence check)
PY_PACKAGES=(openapi-spec-validator==0.9.0 schemathesis==4.32.5)
PY_COMMANDS=(openapi-spec-validator schemathesis)

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

missing=()
for p in "${APT_PACKAGES[@]}"; do
    if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" != "install ok installed" ]; then
        missing+=("$p")
    fi
done
if [ "${#missing[@]}" -gt 0 ]; then
    log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
else
    log "system packages present"
fi

# The venv uses Debian's python (python3-venv above) when present.
PYTHON=/usr/bin/python3
[ -x "$PYTHON" ] || PYTHON="$(command -v python3)"
VENV="$ROOT/.venv"
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import sys' >/dev/null 2>&1; then
    log "creating $VENV"
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV"
fi
py_missing=()
for i in "${!PY_PACKAGES[@]}"; do
    [ -x "$VENV/bin/${PY_COMMANDS[$i]}" ] || py_missing+=("${PY_PACKAGES[$i]}")
done
if [ "${#py_missing[@]}" -gt 0 ]; then
    log "pip installing ${py_missing[*]}"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check "${py_missing[@]}" >&2
else
    log "python tools present"
fi
