# shellcheck shell=bash
# Shared by scripts/test, scripts/run and scripts/bench: find Odoo 18, provide
# PostgreSQL (given by $PGHOST/$PGPORT, or a throwaway cluster on a Unix socket).

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ODOO_PYTHON=${ODOO_PYTHON:-/opt/odoo-venv/bin/python}
MODULES=ecrm_core,ecrm_portal,ecrm_loyalty,ecrm_metrics,ecrm_livechat,ecrm_slides

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

have_odoo() {
    "$ODOO_PYTHON" -c 'import odoo, sys; sys.exit(odoo.release.series != "18.0")' 2>/dev/null
}

# docker compose (v2 plugin) or docker-compose (v1), with a reachable Docker daemon.
compose_cmd() {
    if docker compose version >/dev/null 2>&1; then
        COMPOSE=(docker compose)
    elif command -v docker-compose >/dev/null 2>&1; then
        COMPOSE=(docker-compose)
    else
        return 1
    fi
    docker info >/dev/null 2>&1
}

require_odoo() {
    if ! have_odoo; then
        cat >&2 <<MSG
ERROR: Odoo 18.0 is not importable with "$ODOO_PYTHON".
The eCRM suite is a set of Odoo 18.0 addons: its tests and its server need an
Odoo 18.0 Community installation with OCA helpdesk_mgmt beside this project.
Either
  - install it: \`make odoo\` (README "Requirements": Odoo 18.0 in /opt/odoo, a
    virtualenv in /opt/odoo-venv; ODOO_SOURCE=<checkout or archive> to install
    from a local copy), or point ODOO_PYTHON at the Python of an existing
    Odoo 18.0 installation; or
  - use Docker with compose: \`make test\` then runs the compose test service
    (docker/compose.yaml) by itself.
Then run this command again.
MSG
        exit 3
    fi
    # Tools of the test command itself (PyPI): installed into Odoo's venv when absent.
    if ! "$ODOO_PYTHON" -c 'import pytest_odoo, pylint_odoo, whool, ruff, hypothesis' 2>/dev/null; then
        log "installing test tools into $("$ODOO_PYTHON" -c 'import sys; print(sys.prefix)')"
        "$ODOO_PYTHON" -m pip install -q -r "$ROOT/requirements-test.txt"
    fi
    # The suite's own dependencies (OCA addons, libraries), from PyPI.
    if "$ODOO_PYTHON" -m pip install --dry-run -r "$ROOT/requirements.txt" 2>/dev/null |
        grep -q "^Would install"; then
        log "installing the suite's dependencies (requirements.txt)"
        "$ODOO_PYTHON" -m pip install -q -r "$ROOT/requirements.txt"
    fi
    ODOO_ROOT=$("$ODOO_PYTHON" -c 'import odoo, os; print(os.path.dirname(os.path.dirname(odoo.__file__)))')
    ADDONS_PATH="$ROOT/addons"
    [ -d "$ODOO_ROOT/addons" ] && ADDONS_PATH="$ODOO_ROOT/addons,$ADDONS_PATH"
}

# Installs a Debian package when its command is missing and we are root.
ensure_debian() { # command package
    command -v "$1" >/dev/null 2>&1 && return 0
    ls /usr/lib/postgresql/*/bin/"$1" >/dev/null 2>&1 && return 0
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        log "installing Debian package $2"
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2") >&2
    else
        echo "ERROR: $1 is missing: install the Debian package $2." >&2
        exit 3
    fi
}

# Sets PGHOST/PGPORT/PGUSER; starts a throwaway cluster unless PGHOST is given
# (PG_SERVER_OPTIONS: extra "-c name=value" settings for it).
start_postgres() {
    if [ -n "${PGHOST:-}" ]; then
        export PGHOST PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-$(id -un)}"
        return
    fi
    ensure_debian initdb postgresql
    local bin
    bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    # mktemp -d: mode 0700, and the socket itself too: no other local user reaches it
    PG_TMP=$(mktemp -d /tmp/ecrm-pg.XXXXXX)
    local as=()
    if [ "$(id -u)" = 0 ]; then
        chown postgres "$PG_TMP"
        as=(runuser -u postgres --)
    fi
    PG_STOP=("${as[@]}" "$bin/pg_ctl" -D "$PG_TMP/data" -m immediate stop)
    trap stop_postgres EXIT
    "${as[@]}" "$bin/initdb" -D "$PG_TMP/data" -A trust -U postgres >/dev/null
    "${as[@]}" "$bin/pg_ctl" -D "$PG_TMP/data" -l "$PG_TMP/postgres.log" -w \
        -o "-k $PG_TMP -c listen_addresses='' -c unix_socket_permissions=0700 -c port=5432 -c fsync=off -c synchronous_commit=off -c full_page_writes=off ${PG_SERVER_OPTIONS:-}" \
        start >/dev/null
    # Odoo refuses to run as the "postgres" role.
    psql -h "$PG_TMP" -U postgres -d postgres -qc "CREATE ROLE odoo LOGIN SUPERUSER" >/dev/null
    export PGHOST=$PG_TMP PGPORT=5432 PGUSER=odoo
}

stop_postgres() {
    local rc=$?
    if [ -n "${PG_TMP:-}" ]; then
        "${PG_STOP[@]}" >/dev/null 2>&1 || true
        rm -rf "$PG_TMP"
    fi
    exit $rc
}

# Writes an Odoo configuration file for the current PostgreSQL.
write_odoo_conf() { # path data_dir
    cat >"$1" <<CONF
[options]
db_host = $PGHOST
db_port = $PGPORT
db_user = $PGUSER
addons_path = $ADDONS_PATH
data_dir = $2
http_interface = 127.0.0.1
CONF
}

odoo_cli() { "$ODOO_PYTHON" -c 'import odoo.cli; odoo.cli.main()' "$@"; }
