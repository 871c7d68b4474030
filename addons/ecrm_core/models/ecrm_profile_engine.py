# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models


class EcrmProfileEngine(models.AbstractModel):
    """The eCRM engine: computes the profiles of a company's customers (RFM,
    CLV, churn risk, lifecycle stage and level) in set-based SQL and writes
    them with their histories. Other addons react to what a run changed by
    extending ``_ecrm_post_run``."""

    _name = "ecrm.profile.engine"
    _description = "eCRM Profile Engine"

    @api.model
    def _ecrm_post_run(self, company, level_changes, stage_changes):
        """After each engine run (nightly batch or one order's incremental
        update), in the run's transaction, after profiles and histories are
        written. level_changes: list of (partner_id, old_level_id or None,
        new_level_id or None); stage_changes: list of (partner_id, old_stage or
        None, new_stage). Partners are commercial partners. Runs on the
        order-confirmation path: overrides must stay small (record, or
        ir.cron._trigger() their own cron), never send mail inline or loop over
        all customers."""
