# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class EcrmMetricsReturnDay(models.Model):
    """Confirmed orders per day by the day of their customer's previous order
    (``orders``) and of the order before it (``second_orders``), first
    orders left out: a snapshot written by ``ecrm.metrics.engine``.
    The customers active, retained and repeating in any period are sums over
    it (``ecrm.metrics.kpi.retention._ecrm_returns``)."""

    _name = "ecrm.metrics.return.day"
    _description = "eCRM Orders per Day and Day of the Previous Order"
    _order = "date desc"
    _log_access = False

    date = fields.Date(required=True, readonly=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True)
    previous_date = fields.Date(required=True, readonly=True)
    orders = fields.Integer(
        string="Orders after one on that day", readonly=True, aggregator="sum"
    )
    second_orders = fields.Integer(
        string="Orders after two since that day", readonly=True, aggregator="sum"
    )

    _sql_constraints = [
        (
            "day_uniq",
            "UNIQUE (company_id, date, previous_date)",
            "One row per company, day and previous day.",
        )
    ]
