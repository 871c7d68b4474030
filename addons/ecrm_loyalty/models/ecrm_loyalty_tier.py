# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError


class EcrmLoyaltyTier(models.Model):
    """A loyalty program's tier for one eCRM level: the customers of that
    level earn their points times ``points_multiplier``."""

    _name = "ecrm.loyalty.tier"
    _description = "eCRM Loyalty Tier"
    _order = "program_id, level_id"

    program_id = fields.Many2one(
        "loyalty.program", required=True, ondelete="cascade", index=True
    )
    level_id = fields.Many2one("ecrm.level", required=True, ondelete="cascade")
    points_multiplier = fields.Float(default=1.0, digits=(16, 2), required=True)

    _sql_constraints = [
        (
            "program_level_uniq",
            "unique(program_id, level_id)",
            "A level has one tier per program.",
        ),
    ]

    @api.constrains("points_multiplier")
    def _check_points_multiplier(self):
        if any(tier.points_multiplier <= 0 for tier in self):
            raise ValidationError(self.env._("The points multiplier is positive."))
