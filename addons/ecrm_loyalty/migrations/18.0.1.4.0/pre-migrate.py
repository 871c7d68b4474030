# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tools import SQL
from odoo.tools.sql import column_exists

# the old comma-separated columns, kept under another name until
# post-migrate turns them into tags: Odoo drops the columns of removed fields
OLD_COLUMNS = {
    "lifecycle_stages": "ecrm_old_lifecycle_stages",
    "rfm_segments": "ecrm_old_rfm_segments",
}


def migrate(cr, version):
    for column, kept in OLD_COLUMNS.items():
        if column_exists(cr, "ecrm_coupon_rule", column):
            cr.execute(
                SQL(
                    "ALTER TABLE ecrm_coupon_rule RENAME COLUMN %s TO %s",
                    SQL.identifier(column),
                    SQL.identifier(kept),
                )
            )
