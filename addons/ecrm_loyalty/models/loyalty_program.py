# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class LoyaltyProgram(models.Model):
    _inherit = "loyalty.program"

    ecrm_tier_ids = fields.One2many(
        "ecrm.loyalty.tier",
        "program_id",
        string="Tiers by eCRM level",
        help="Customers of these levels earn their points times the multiplier.",
    )

    def _ecrm_multiplier(self, level):
        self.ensure_one()
        tier = self.ecrm_tier_ids.filtered(lambda tier: tier.level_id == level)
        return tier.points_multiplier if tier else 1.0
