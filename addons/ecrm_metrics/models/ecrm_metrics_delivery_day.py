# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class EcrmMetricsDeliveryDay(models.Model):
    """Outgoing deliveries validated per day, and how many by their scheduled
    date: a snapshot written by ``ecrm.metrics.engine``."""

    _name = "ecrm.metrics.delivery.day"
    _description = "eCRM Deliveries per Day"
    _order = "date desc"

    date = fields.Date(required=True, readonly=True, index=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True)
    deliveries = fields.Integer(readonly=True, aggregator="sum")
    on_time = fields.Integer(string="On time", readonly=True, aggregator="sum")
