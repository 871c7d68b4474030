# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tools import SQL

from .models.ecrm_metrics_return_day import ORDER_TABLE
from .models.sale_order import PERIOD_INDEX


def uninstall_hook(env):
    """The index this addon added to sale_order and its table without a model
    go with it."""
    env.cr.execute(SQL("DROP INDEX IF EXISTS %s", SQL.identifier(PERIOD_INDEX)))
    env.cr.execute(SQL("DROP TABLE IF EXISTS %s", SQL.identifier(ORDER_TABLE)))
