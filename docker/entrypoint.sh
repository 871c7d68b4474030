#!/bin/bash
# Installs the eCRM suite with demo data on first start (and again if that first
# install did not finish), then runs the image's own entrypoint, which waits for
# PostgreSQL and passes the db_* options to Odoo.
set -e
: "${HOST:=db}" "${USER:=odoo}" "${PASSWORD:=odoo}"
if [ "$1" = odoo ]; then
    DB=${ECRM_DB:-ecrm}
    MODULES=ecrm_core,ecrm_portal,ecrm_loyalty,ecrm_metrics
    ADDONS="--addons-path=/mnt/ecrm/addons,/usr/lib/python3/dist-packages/odoo/addons"
    installed=$(PGPASSWORD=$PASSWORD psql -h "$HOST" -U "$USER" -d "$DB" -tAc \
        "SELECT count(*) FROM ir_module_module WHERE state = 'installed'
            AND name = ANY(string_to_array('$MODULES', ','))" 2>/dev/null || echo 0)
    if [ "$installed" != 4 ]; then
        /entrypoint.sh odoo "$ADDONS" -d "$DB" -i "$MODULES" --stop-after-init
    fi
    shift
    exec /entrypoint.sh odoo "$ADDONS" -d "$DB" --db-filter="^$DB\$" "$@"
fi
exec /entrypoint.sh "$@"
