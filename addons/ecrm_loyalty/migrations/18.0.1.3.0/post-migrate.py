# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tools import SQL
from odoo.tools.sql import column_exists


def migrate(cr, version):
    """The customers drawn but still waiting for their coupon move from
    pending issue rows to the draw table (created by the issue model's
    init()); the issues' ``pending`` and ``drawn_products`` columns are then
    dropped by Odoo with their fields."""
    if not column_exists(cr, "ecrm_coupon_issue", "pending"):
        return
    cr.execute(
        SQL(
            """
            WITH moved AS (
                DELETE FROM ecrm_coupon_issue
                 WHERE pending
             RETURNING rule_id, partner_id, period_start, drawn_products
            )
            INSERT INTO ecrm_coupon_draw (rule_id, partner_id, period_start, products)
            SELECT rule_id, partner_id, period_start, drawn_products FROM moved
            """
        )
    )
