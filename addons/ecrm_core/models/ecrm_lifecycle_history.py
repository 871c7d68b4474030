# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models

LIFECYCLE_STAGES = [
    ("selection", "Selection"),
    ("acquisition", "Acquisition"),
    ("retention", "Retention"),
    ("extension", "Extension"),
    ("at_risk", "At risk"),
    ("churned", "Churned"),
]


class EcrmLifecycleHistory(models.Model):
    _name = "ecrm.lifecycle.history"
    _description = "eCRM Lifecycle Transition"
    _order = "date desc, id desc"

    partner_id = fields.Many2one(
        "res.partner", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one("res.company", required=True, index=True)
    date = fields.Date(required=True, default=fields.Date.context_today)
    from_stage = fields.Selection(LIFECYCLE_STAGES, string="From")
    to_stage = fields.Selection(LIFECYCLE_STAGES, string="To", required=True)
