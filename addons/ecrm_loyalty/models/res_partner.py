# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    def _ecrm_loyalty_rewards(self):
        """What "My rewards" shows to this customer (a commercial partner):
        their level in the current company and their valid personal coupons.
        Reads with sudo, restricted to this one customer."""
        self.ensure_one()
        profile = (
            self.env["ecrm.profile"]
            .sudo()
            .search(
                [
                    ("partner_id", "=", self.id),
                    ("company_id", "=", self.env.company.id),
                ],
                limit=1,
            )
        )
        today = fields.Date.context_today(self)
        coupons = (
            self.env["loyalty.card"]
            .sudo()
            .search(
                [
                    ("partner_id", "=", self.id),
                    ("ecrm_bound", "=", True),
                    ("points", ">", 0),
                    ("program_id.active", "=", True),
                    "|",
                    ("expiration_date", "=", False),
                    ("expiration_date", ">=", today),
                ],
                order="expiration_date, id",
            )
        )
        coupons = coupons.filtered(
            lambda card: (
                card.points
                >= min(card.program_id.reward_ids.mapped("required_points") or [0])
            )
        )
        return {"level": profile.level_id, "coupons": coupons}
