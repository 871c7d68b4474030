# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    """The refresh moved to ``ecrm.metrics.engine``: its scheduled action (a
    record of a noupdate file, not updated) runs there."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    cron = env.ref(
        "ecrm_metrics.ir_cron_ecrm_metrics_refresh", raise_if_not_found=False
    )
    if cron:
        cron.write(
            {
                "model_id": env["ir.model"]._get_id("ecrm.metrics.engine"),
                "code": "model._ecrm_refresh()",
            }
        )
