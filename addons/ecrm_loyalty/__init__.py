from odoo.tools import SQL

from . import models
from . import wizards
from .models.ecrm_coupon_issue import DRAW_TABLE


def uninstall_hook(env):
    """Rebuild the timeline view without this addon's sources before their
    tables are dropped (a DROP TABLE ... CASCADE would drop the whole view)."""
    env["ecrm.interaction"].with_context(ecrm_loyalty_uninstall=True).init()
    # not a model's table: Odoo would leave it
    env.cr.execute(SQL("DROP TABLE IF EXISTS %s", SQL.identifier(DRAW_TABLE)))
