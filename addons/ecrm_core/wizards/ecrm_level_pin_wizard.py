# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class EcrmLevelPinWizard(models.TransientModel):
    _name = "ecrm.level.pin.wizard"
    _description = "Pin an eCRM Level"

    partner_ids = fields.Many2many(
        "res.partner",
        default=lambda self: self.env.context.get("active_ids"),
        required=True,
    )
    level_id = fields.Many2one("ecrm.level", required=True)
    reason = fields.Char(required=True)

    def action_pin(self):
        self.ensure_one()
        self.partner_ids._ecrm_pin_level(self.level_id.id, self.reason)
