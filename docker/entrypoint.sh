#!/bin/bash
# In front of the official image's /entrypoint.sh (which waits for PostgreSQL and
# passes the db_* options to Odoo). Writes Odoo's configuration from the
# environment and the generated secrets, installs the suite on first start, then
# starts Odoo.
#   ECRM_DB               the database (default ecrm); the only one served (db_name)
#   ECRM_DEMO=1           install with Odoo's and the suite's demo data (admin/admin,
#                         portal/portal): a quick try, never a production database
#   ECRM_DB_REPLICA_HOST  a PostgreSQL streaming replica for read-only requests
#                         (ECRM_DB_REPLICA_PORT, default 5432)
#   ECRM_WORKERS          Odoo's prefork workers (default 0: threaded)
# Passwords come from files (/run/ecrm-secrets, made by the compose "secrets"
# service) or from the environment: PASSWORD (PostgreSQL), ADMIN_PASSWD (Odoo's
# master password), ADMIN_PASSWORD (the "admin" user's, set at the first install
# without demo data).
set -e
ODOO_ENTRYPOINT=${ODOO_ENTRYPOINT:-/entrypoint.sh} # the official image's
SECRETS=${ECRM_SECRETS:-/run/ecrm-secrets}
read_secret() { # name
    if [ -s "$SECRETS/$1" ]; then tr -d '\n' <"$SECRETS/$1"; fi
}
: "${HOST:=db}" "${USER:=odoo}"
PASSWORD=${PASSWORD:-$(read_secret db_password)}
ADMIN_PASSWD=${ADMIN_PASSWD:-$(read_secret admin_passwd)}
if [ -z "$PASSWORD" ] || [ -z "$ADMIN_PASSWD" ]; then
    echo "ERROR: no database password or master password: run the compose 'secrets'" \
        "service, or set PASSWORD and ADMIN_PASSWD." >&2
    exit 3
fi
export HOST USER PASSWORD PGPASSWORD=$PASSWORD

DB=${ECRM_DB:-ecrm}
# The database manager is off (list_db): nobody can dump, drop or create a
# database over HTTP, whatever the master password. db_name without a dbfilter
# serves that database only, and Odoo then does not list the server's databases
# (a new PostgreSQL connection) for each request without a session, such as a
# carrier's webhook call: the dbfilter's list was 3/4 of a refused webhook call.
cat >"$ODOO_RC" <<CONF
[options]
addons_path = /mnt/ecrm/addons,/mnt/extra-addons
data_dir = /var/lib/odoo
admin_passwd = $ADMIN_PASSWD
list_db = False
db_name = $DB
proxy_mode = True
workers = ${ECRM_WORKERS:-0}
max_cron_threads = 1
CONF
if [ -n "${ECRM_DB_REPLICA_HOST:-}" ]; then
    printf 'db_replica_host = %s\ndb_replica_port = %s\n' \
        "$ECRM_DB_REPLICA_HOST" "${ECRM_DB_REPLICA_PORT:-5432}" >>"$ODOO_RC"
fi

if [ "$1" = odoo ]; then
    MODULES=ecrm_core,ecrm_portal,ecrm_loyalty,ecrm_metrics
    installed=$(psql -h "$HOST" -U "$USER" -d "$DB" -tAc \
        "SELECT count(*) FROM ir_module_module WHERE state = 'installed'
            AND name = ANY(string_to_array('$MODULES', ','))" 2>/dev/null || echo 0)
    if [ "$installed" != 4 ]; then
        demo=(--without-demo=all)
        [ "${ECRM_DEMO:-0}" = 1 ] && demo=()
        "$ODOO_ENTRYPOINT" odoo -d "$DB" -i "$MODULES" "${demo[@]}" --stop-after-init
        if [ "${ECRM_DEMO:-0}" != 1 ]; then
            # Odoo creates "admin" with the password "admin": replace it.
            ECRM_ADMIN_PASSWORD=${ADMIN_PASSWORD:-$(read_secret admin_password)} \
                "$ODOO_ENTRYPOINT" odoo shell -d "$DB" --no-http --log-level=warn <<'PY'
import os
env.ref("base.user_admin").password = os.environ["ECRM_ADMIN_PASSWORD"]
env.cr.commit()
PY
        fi
    fi
fi
exec "$ODOO_ENTRYPOINT" "$@"
