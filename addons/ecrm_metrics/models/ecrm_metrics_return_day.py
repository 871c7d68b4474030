# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class EcrmMetricsReturnDay(models.Model):
    """Confirmed orders per day by the day of their customer's previous order
    (``orders``) and of the order before it (``second_orders``), first
    orders left out: a snapshot written by ``ecrm.metrics.engine``.
    The customers active, retained and repeating in any period are sums over
    it (``ecrm.metrics.kpi.retention._ecrm_returns``). The day of each
    customer's last order is the previous day of a row on day "infinity",
    which sums their CLV at the refresh: the CLV average of the customers
    active in a period up to the last order day
    (``ecrm.metrics.kpi.revenue._ecrm_snapshot_clv``). One set of rows per
    stream of orders: all of them (no channel, no level), those of a channel,
    of a level at confirmation (a customer's previous order through a filter
    is another one)."""

    _name = "ecrm.metrics.return.day"
    _inherit = "ecrm.metrics.stream"
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
    currency_id = fields.Many2one(related="company_id.currency_id")
    clv_customers = fields.Integer(
        string="Customers with a CLV",
        readonly=True,
        aggregator="sum",
        help='Of the last orders (day "infinity"), those of a customer with '
        "an eCRM profile.",
    )
    clv = fields.Monetary(
        string="Lifetime value",
        readonly=True,
        aggregator="sum",
        help='Of the last orders (day "infinity"), their customers\' CLV at '
        "the refresh.",
    )

    _sql_constraints = [
        (
            "day_uniq",
            (
                "UNIQUE NULLS NOT DISTINCT"
                " (company_id, channel, level_id, date, previous_date)"
            ),
            "One row per company, day, previous day and stream of orders.",
        )
    ]
