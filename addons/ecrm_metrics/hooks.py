# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tools import SQL

from .models.sale_order import PERIOD_INDEX


def uninstall_hook(env):
    """The index this addon added to sale_order goes with it."""
    env.cr.execute(SQL("DROP INDEX IF EXISTS %s", SQL.identifier(PERIOD_INDEX)))
