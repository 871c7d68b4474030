# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class EcrmLevel(models.Model):
    """A rung of the eCRM service ladder (Foundational → Value-added)."""

    _name = "ecrm.level"
    _description = "eCRM Level"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(
        default=10, help="Position on the ladder: a higher sequence is a higher level."
    )
    color = fields.Integer()
    description = fields.Html(
        translate=True, help="Shown to customers: what this level gives them."
    )
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", help="Leave empty to share the level between companies."
    )
    service_ids = fields.Many2many(
        "ecrm.service", string="Services", help="Services this level unlocks."
    )
    sla_hours = fields.Float(
        string="First-response SLA (hours)",
        default=24.0,
        help="Working hours within which the helpdesk must first answer "
        "a customer of this level.",
    )
