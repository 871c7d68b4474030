# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class EcrmMetricsTicketDay(models.Model):
    """Tickets created per day and customer level (when the ticket was
    opened) and their first responses: a snapshot written
    by ``ecrm.metrics.engine``."""

    _name = "ecrm.metrics.ticket.day"
    _description = "eCRM Tickets per Day"
    _order = "date desc"

    date = fields.Date(required=True, readonly=True, index=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True)
    level_id = fields.Many2one("ecrm.level", readonly=True)
    tickets = fields.Integer(readonly=True, aggregator="sum")
    first_responses = fields.Integer(readonly=True, aggregator="sum")
    first_response_hours = fields.Float(
        string="First response (hours, total)", readonly=True, aggregator="sum"
    )
