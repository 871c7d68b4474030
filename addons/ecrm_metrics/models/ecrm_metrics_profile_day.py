# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models

from odoo.addons.ecrm_core.models.ecrm_selection import LIFECYCLE_STAGES, RFM_SEGMENTS


class EcrmMetricsProfileDay(models.Model):
    """Customers per level, lifecycle stage and RFM segment on the day of each
    refresh, with their lifetime value: a snapshot written by
    ``ecrm.metrics.engine``."""

    _name = "ecrm.metrics.profile.day"
    _description = "eCRM Customers per Level, Stage and Segment"
    _order = "date desc"

    date = fields.Date(required=True, readonly=True, index=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    level_id = fields.Many2one("ecrm.level", readonly=True)
    lifecycle_stage = fields.Selection(LIFECYCLE_STAGES, readonly=True)
    rfm_segment = fields.Selection(RFM_SEGMENTS, string="RFM segment", readonly=True)
    customers = fields.Integer(readonly=True, aggregator="sum")
    clv = fields.Monetary(string="Lifetime value", readonly=True, aggregator="sum")
