# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models

from odoo.addons.ecrm_core.models.ecrm_selection import RFM_SEGMENTS


class EcrmMetricsSegmentHistory(models.Model):
    """A customer's RFM segment from ``date`` on (one row when it changes),
    recorded by the refresh: the source of the segment moves."""

    _name = "ecrm.metrics.segment.history"
    _description = "eCRM RFM Segment History"
    _order = "date desc"

    partner_id = fields.Many2one("res.partner", required=True, readonly=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True)
    date = fields.Date(required=True, readonly=True)
    rfm_segment = fields.Selection(RFM_SEGMENTS, string="RFM segment", readonly=True)

    _sql_constraints = [
        (
            "partner_company_date_uniq",
            "UNIQUE (partner_id, company_id, date)",
            "One segment per customer, company and day.",
        )
    ]
