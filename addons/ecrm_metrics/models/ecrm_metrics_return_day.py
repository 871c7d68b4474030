# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models
from odoo.tools import SQL

# The day (channel, level) of every confirmed order of each customer and
# company, as of the last refresh: what the customers' rows added to the return
# and cohort snapshots, subtracted when their orders change; their first
# orders are written from it. A narrow table without an
# ORM model: millions of rows, no foreign keys to check on a rebuild, never
# read through RPC.
ORDER_TABLE = "ecrm_metrics_order_date"


class EcrmMetricsReturnDay(models.Model):
    """Confirmed orders per day by the day of their customer's previous order
    (``orders``) and of the order before it (``second_orders``), first
    orders left out: a snapshot written by ``ecrm.dashboard._ecrm_refresh``.
    The customers active, retained and repeating in any period are sums over
    it (``ecrm.dashboard._ecrm_returns``)."""

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

    def init(self):
        self.env.cr.execute(
            SQL(
                """
                CREATE TABLE IF NOT EXISTS %(table)s (
                    company_id integer NOT NULL,
                    partner_id integer,
                    date date NOT NULL,
                    channel varchar,
                    level_id integer
                );
                CREATE INDEX IF NOT EXISTS %(index)s
                    ON %(table)s (company_id, partner_id)
                """,
                table=SQL.identifier(ORDER_TABLE),
                index=SQL.identifier(f"{ORDER_TABLE}_partner_index"),
            )
        )
