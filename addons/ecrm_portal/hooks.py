# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tools.sql import column_exists, create_column


def pre_init_hook(env):
    """Create the tracking state columns before the ORM does: a new stored
    computed field would otherwise be computed order by order in Python on
    installation; ``post_init_hook`` fills them in two statements instead."""
    for table in ("sale_order", "stock_picking"):
        if not column_exists(env.cr, table, "ecrm_tracking_state"):
            create_column(env.cr, table, "ecrm_tracking_state", "varchar")


def post_init_hook(env):
    env["sale.order"]._ecrm_init_tracking_states()
