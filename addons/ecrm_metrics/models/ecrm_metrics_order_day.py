# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models


class EcrmMetricsOrderDay(models.Model):
    """Confirmed orders and their untaxed revenue (company currency) per day,
    channel and level at confirmation: a snapshot written by
    ``ecrm.metrics.engine``."""

    _name = "ecrm.metrics.order.day"
    _description = "eCRM Orders per Day"
    _order = "date desc"

    date = fields.Date(required=True, readonly=True, index=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    channel = fields.Selection(
        selection="_selection_channel", string="eCRM channel", readonly=True
    )
    level_id = fields.Many2one(
        "ecrm.level", string="Level at confirmation", readonly=True
    )
    orders = fields.Integer(readonly=True, aggregator="sum")
    revenue = fields.Monetary(readonly=True, aggregator="sum")

    @api.model
    def _selection_channel(self):
        return self.env["sale.order"]._fields["ecrm_channel"].selection
