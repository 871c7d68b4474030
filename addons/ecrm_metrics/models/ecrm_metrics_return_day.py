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
# The ids of the orders deleted, and when (the start of the deleting
# transaction, as a write_date): the refresh takes their rows out of
# ORDER_TABLE. Rows older than every company's last refresh are purged.
UNLINKED_TABLE = "ecrm_metrics_order_unlinked"


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
                    order_id integer NOT NULL,
                    date date NOT NULL,
                    channel varchar,
                    level_id integer
                );
                CREATE INDEX IF NOT EXISTS %(partner_index)s
                    ON %(table)s (company_id, partner_id, date);
                CREATE INDEX IF NOT EXISTS %(order_index)s ON %(table)s (order_id);
                CREATE TABLE IF NOT EXISTS %(unlinked)s (
                    order_id integer NOT NULL,
                    unlinked_at timestamp NOT NULL
                );
                CREATE INDEX IF NOT EXISTS %(unlinked_index)s
                    ON %(unlinked)s (unlinked_at)
                """,
                table=SQL.identifier(ORDER_TABLE),
                partner_index=SQL.identifier(f"{ORDER_TABLE}_partner_date_index"),
                order_index=SQL.identifier(f"{ORDER_TABLE}_order_index"),
                unlinked=SQL.identifier(UNLINKED_TABLE),
                unlinked_index=SQL.identifier(f"{UNLINKED_TABLE}_date_index"),
            )
        )
