# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    """The new return and cohort snapshots start empty, and an incremental
    refresh only adds the customers whose orders changed: the refresh cron
    rebuilds every company, at once after the upgrade rather than at its next
    scheduled run."""
    cr.execute("UPDATE res_company SET ecrm_metrics_refreshed_at = NULL")
    env = api.Environment(cr, SUPERUSER_ID, {})
    env.ref("ecrm_metrics.ir_cron_ecrm_metrics_refresh")._trigger()
