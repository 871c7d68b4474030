# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class EcrmNpsAnswer(models.Model):
    """A customer's answer to "How likely are you to recommend us?" (0–10),
    asked with the rating of a delivery when the company asks it: the source
    of the NPS of the eCRM dashboard."""

    _name = "ecrm.nps.answer"
    _description = "eCRM NPS Answer"
    _order = "date desc"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, readonly=True
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, readonly=True
    )
    score = fields.Integer(required=True, readonly=True, aggregator="avg")
    date = fields.Datetime(required=True, default=fields.Datetime.now, readonly=True)
    picking_id = fields.Many2one(
        "stock.picking", string="Delivery", readonly=True, check_company=True
    )
    rating_id = fields.Many2one("rating.rating", readonly=True, ondelete="cascade")

    _sql_constraints = [
        ("score_range", "CHECK(score BETWEEN 0 AND 10)", "An NPS score is 0 to 10."),
        ("rating_uniq", "UNIQUE(rating_id)", "One NPS answer per rating."),
    ]
