#!/bin/bash
# Installs the eCRM suite with demo data on first start, then runs the image's
# own entrypoint (which waits for PostgreSQL and passes db_* options to Odoo).
set -e
if [ "$1" = odoo ]; then
    DB=${ECRM_DB:-ecrm}
    ADDONS="--addons-path=/mnt/ecrm/addons,/usr/lib/python3/dist-packages/odoo/addons"
    if ! PGPASSWORD=$PASSWORD psql -h "$HOST" -U "$USER" -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1; then
        /entrypoint.sh odoo "$ADDONS" -d "$DB" \
            -i ecrm_core,ecrm_portal,ecrm_loyalty,ecrm_metrics --stop-after-init
    fi
    shift
    exec /entrypoint.sh odoo "$ADDONS" -d "$DB" --db-filter="^$DB\$" "$@"
fi
exec /entrypoint.sh "$@"
