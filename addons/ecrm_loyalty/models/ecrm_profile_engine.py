# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models


class EcrmProfileEngine(models.AbstractModel):
    _inherit = "ecrm.profile.engine"

    @api.model
    def _ecrm_post_run(self, company, level_changes, stage_changes):
        """Win-back and level-upgrade coupons are read from the histories by
        the rules' cron: wake it up when this run wrote something for them."""
        res = super()._ecrm_post_run(company, level_changes, stage_changes)
        upgraded = any(old and new for _partner, old, new in level_changes)
        left = any(
            new in ("at_risk", "churned") for _partner, _old, new in stage_changes
        )
        if upgraded or left:
            self.env.ref("ecrm_loyalty.ir_cron_ecrm_coupon_rules")._trigger()
        return res
