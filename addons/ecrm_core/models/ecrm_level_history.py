# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class EcrmLevelHistory(models.Model):
    _name = "ecrm.level.history"
    _description = "eCRM Level Change"
    _order = "date desc, id desc"

    partner_id = fields.Many2one(
        "res.partner", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one("res.company", required=True, index=True)
    date = fields.Datetime(required=True, default=fields.Datetime.now)
    from_level_id = fields.Many2one("ecrm.level", string="From", ondelete="set null")
    to_level_id = fields.Many2one("ecrm.level", string="To", ondelete="set null")
    reason = fields.Selection(
        [
            ("rule", "Rule"),
            ("grace", "Grace period over"),
            ("manual", "Manual"),
        ],
        required=True,
    )
    note = fields.Char()
    user_id = fields.Many2one("res.users", default=lambda self: self.env.user)
