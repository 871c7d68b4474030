# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    """The recompute's scheduled action (noupdate) moved from res.partner to
    ecrm.profile with the engine."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    cron = env.ref("ecrm_core.ir_cron_ecrm_recompute", raise_if_not_found=False)
    if cron:
        cron.write(
            {
                "model_id": env["ir.model"]._get_id("ecrm.profile"),
                "code": "model._ecrm_cron_recompute()",
            }
        )
