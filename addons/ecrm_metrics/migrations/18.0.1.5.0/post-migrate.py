# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    """The return and cohort snapshots have rows per channel and level now
    (their former rows are those of every order), the return snapshot the
    customers' last orders with their CLV and the profiles the CLV it
    counts: the refresh cron rebuilds every company, at once after the
    upgrade; until then the figures are read live."""
    cr.execute("UPDATE res_company SET ecrm_metrics_refreshed_at = NULL")
    env = api.Environment(cr, SUPERUSER_ID, {})
    env.ref("ecrm_metrics.ir_cron_ecrm_metrics_refresh")._trigger()
