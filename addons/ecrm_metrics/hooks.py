# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tools import SQL

from .demo.demo_history import generate_history
from .models.ecrm_metrics_engine import ORDER_TABLE, UNLINKED_TABLE
from .models.sale_order import PERIOD_INDEX, WRITE_INDEX
from .models.stock_picking import WRITE_INDEX as PICKING_WRITE_INDEX


def post_init_hook(env):
    """With the demo data, the dashboard's demo history (``demo/``)."""
    if env["ir.module.module"].search([("name", "=", "ecrm_metrics")]).demo:
        generate_history(env)


def uninstall_hook(env):
    """The indexes this addon added to sale_order and stock_picking and its
    tables without a model go with it."""
    for index in (PERIOD_INDEX, WRITE_INDEX, PICKING_WRITE_INDEX):
        env.cr.execute(SQL("DROP INDEX IF EXISTS %s", SQL.identifier(index)))
    for table in (ORDER_TABLE, UNLINKED_TABLE):
        env.cr.execute(SQL("DROP TABLE IF EXISTS %s", SQL.identifier(table)))
