# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class LoyaltyReward(models.Model):
    _inherit = "loyalty.reward"

    ecrm_level_ids = fields.Many2many(
        "ecrm.level",
        string="Reserved to levels",
        help="Only customers of these eCRM levels are offered this reward "
        "(empty: everyone).",
    )

    def _ecrm_granted_to(self, level):
        self.ensure_one()
        return not self.ecrm_level_ids or level in self.ecrm_level_ids
