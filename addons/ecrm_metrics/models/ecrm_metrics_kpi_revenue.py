# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from .ecrm_metrics_engine import ORDER_TABLE
from .ecrm_metrics_kpi import NO_FILTERS, RATE, day_bounds

CLV_BUCKETS = 10


class EcrmMetricsKpiRevenue(models.AbstractModel):
    """Revenue and lifetime value: orders, revenue, average order value, the
    CLV average of the active customers; the daily revenue and the CLV
    histogram of the screen."""

    _name = "ecrm.metrics.kpi.revenue"
    _inherit = "ecrm.metrics.kpi"
    _description = "eCRM Metrics: Revenue and CLV"
    _ecrm_family_sequence = 10

    @api.model
    def _ecrm_labels(self):
        return {
            "orders": self.env._("Orders"),
            "revenue": self.env._("Revenue"),
            "average_order_value": self.env._("Average order value"),
            "clv_average": self.env._("Average CLV"),
        }

    @api.model
    def _ecrm_compute(self, period, companies, filters, snapshot):
        if snapshot:
            orders, revenue = self._ecrm_snapshot_orders(period, companies, filters)
        else:
            live = self._ecrm_fetch(
                self._ecrm_orders_select(),
                SQL("(%s) o", self._ecrm_order_sql(companies, filters, period)),
            )
            orders, revenue = live["orders"], live["revenue"]
        if self._ecrm_returns_exact(companies, filters, snapshot) and (
            period[1] >= (self._ecrm_last_order_day(companies) or period[1])
        ):
            clv = self._ecrm_snapshot_clv(period, companies, filters)
        else:
            clv = self._ecrm_fetch(
                self._ecrm_clv_select(),
                self._ecrm_clv_from(companies),
                self._ecrm_clv_where(period, companies, filters, snapshot),
            )["clv_average"]
        return {
            "orders": orders,
            "revenue": float(revenue or 0.0),
            "average_order_value": float(revenue) / orders if orders else None,
            "clv_average": float(clv) if clv is not None else None,
        }

    @api.model
    def _ecrm_orders_select(self):
        """The figures of the confirmed orders ``o`` of the period (live; the
        refreshed companies' come from their order days)."""
        return {"orders": SQL("count(*)"), "revenue": SQL("sum(o.amount)")}

    # ------------------------------------------------------------------
    # CLV average of the active customers
    # ------------------------------------------------------------------

    @api.model
    def _ecrm_last_order_day(self, companies):
        """The companies' last order day in the order days (at the refresh)."""
        self.env.cr.execute(
            SQL(
                "SELECT max(date) FROM ecrm_metrics_order_day"
                " WHERE company_id = ANY(%s)",
                companies.ids,
            )
        )
        return self.env.cr.fetchone()[0]

    @api.model
    def _ecrm_snapshot_clv(self, period, company, filters):
        """The CLV average of the active customers of one company and stream
        of orders (``_ecrm_returns_exact``) in a period ending on or after
        its last order day, from the return snapshot: those whose last order
        (day "infinity") is in the period, with their CLV at the refresh."""
        self.env.cr.execute(
            SQL(
                """
                SELECT sum(r.clv * %(rate)s) / NULLIF(sum(r.clv_customers), 0)
                  FROM ecrm_metrics_return_day r
                  JOIN %(currency_table)s
                    ON account_currency_table.company_id = r.company_id
                 WHERE r.company_id = %(company)s AND %(stream)s
                   AND r.date = 'infinity'
                   AND r.previous_date BETWEEN %(start)s AND %(end)s
                """,
                rate=RATE,
                currency_table=self._ecrm_currency_table(company),
                company=company.id,
                stream=self._ecrm_stream_sql(filters, "r"),
                start=period[0],
                end=period[1],
            )
        )
        return self.env.cr.fetchone()[0]

    @api.model
    def _ecrm_clv_select(self):
        return {"clv_average": SQL("avg(pr.clv * %s)", RATE)}

    @api.model
    def _ecrm_clv_from(self, companies):
        return SQL(
            "ecrm_profile pr JOIN %s ON account_currency_table.company_id"
            " = pr.company_id",
            self._ecrm_currency_table(companies),
        )

    @api.model
    def _ecrm_clv_where(self, period, companies, filters, snapshot):
        return [
            SQL("pr.company_id = ANY(%s)", companies.ids),
            self._ecrm_active_profile_sql(
                period, companies, filters, snapshot and filters == NO_FILTERS
            ),
        ]

    @api.model
    def _ecrm_active_profile_sql(self, period, companies, filters, snapshot):
        """The condition that the customer of a profile ``pr`` has an order in
        the period (through the filters). From the snapshot: the profile's
        last order day at the refresh, and when it is after the period, one
        probe of the customer's order days (only for a period ending before
        the last order day of the companies: the planner would charge the
        probe to every profile, and compile the scan); live: one probe of the
        customer's orders."""
        start, end = period
        if snapshot:
            last = self._ecrm_last_order_day(companies)
            if not last or last <= end:
                return SQL("pr.ecrm_metrics_last_date >= %s", start)
            return SQL(
                """
                pr.ecrm_metrics_last_date >= %(start)s
                AND (pr.ecrm_metrics_last_date <= %(end)s OR EXISTS (
                    SELECT 1 FROM %(table)s o
                     WHERE o.company_id = pr.company_id
                       AND o.partner_id = pr.partner_id
                       AND o.date BETWEEN %(start)s AND %(end)s))
                """,
                table=SQL.identifier(ORDER_TABLE),
                start=start,
                end=end,
            )
        after, before = day_bounds(start, end)
        return SQL(
            """
            EXISTS (
                SELECT 1 FROM sale_order so
                 WHERE so.state = 'sale' AND so.company_id = pr.company_id
                   AND so.ecrm_commercial_partner_id = pr.partner_id
                   AND so.date_order >= %(after)s AND so.date_order < %(before)s
                   AND %(filters)s)
            """,
            after=after,
            before=before,
            filters=self._ecrm_filter_sql(
                filters,
                SQL.identifier("so", "ecrm_level_id"),
                SQL.identifier("so", "ecrm_channel"),
            ),
        )

    # ------------------------------------------------------------------
    # Screen
    # ------------------------------------------------------------------

    @api.model
    def _ecrm_revenue_by_day(self, period, companies, filters):
        """``[[day, revenue]]`` of the period, for the revenue chart."""
        start, end = period
        if not self._ecrm_refreshed(companies):
            query = SQL(
                "SELECT day, sum(amount) FROM (%s) o GROUP BY day ORDER BY day",
                self._ecrm_order_sql(companies, filters, period),
            )
        else:
            query = SQL(
                """
                SELECT d.date, sum(d.revenue * %(rate)s)
                  FROM ecrm_metrics_order_day d
                  JOIN %(currency_table)s
                    ON account_currency_table.company_id = d.company_id
                 WHERE d.company_id = ANY(%(companies)s) AND %(filters)s
                   AND d.date BETWEEN %(start)s AND %(end)s
                 GROUP BY d.date ORDER BY d.date
                """,
                currency_table=self._ecrm_currency_table(companies),
                rate=RATE,
                companies=companies.ids,
                filters=self._ecrm_filter_sql(
                    filters,
                    SQL.identifier("d", "level_id"),
                    SQL.identifier("d", "channel"),
                ),
                start=start,
                end=end,
            )
        self.env.cr.execute(query)
        return [[str(day), float(amount)] for day, amount in self.env.cr.fetchall()]

    @api.model
    def _ecrm_clv_sql(self, companies, filters):
        """The customers with a lifetime value (converted to the current
        company's currency) and their bucket of the histogram: CLV_BUCKETS
        equal buckets up to the 95th percentile, then one for the rest."""
        return SQL(
            """
            WITH p AS (
                SELECT pr.partner_id, pr.clv * %(rate)s AS clv
                  FROM ecrm_profile pr
                  JOIN %(currency_table)s
                    ON account_currency_table.company_id = pr.company_id
                 WHERE pr.company_id = ANY(%(companies)s) AND pr.clv > 0
                   AND %(filters)s
            ), top AS (
                SELECT percentile_disc(0.95) WITHIN GROUP (ORDER BY clv) AS hi FROM p
            )
            SELECT p.partner_id, width_bucket(p.clv, 0, top.hi, %(buckets)s) AS bucket,
                   top.hi
              FROM p, top
            """,
            rate=RATE,
            currency_table=self._ecrm_currency_table(companies),
            companies=companies.ids,
            filters=self._ecrm_filter_sql(filters, SQL.identifier("pr", "level_id")),
            buckets=CLV_BUCKETS,
        )

    @api.model
    def _ecrm_clv_histogram(self, companies, filters):
        """``[{"bucket", "from", "to", "customers"}]``, the last bucket open."""
        self.env.cr.execute(
            SQL(
                "SELECT bucket, count(*), max(hi) FROM (%s) c GROUP BY 1",
                self._ecrm_clv_sql(companies, filters),
            )
        )
        counts = {bucket: (n, hi) for bucket, n, hi in self.env.cr.fetchall()}
        if not counts:
            return []
        hi = float(next(iter(counts.values()))[1])
        width = hi / CLV_BUCKETS
        return [
            {
                "bucket": bucket,
                "from": (bucket - 1) * width,
                "to": bucket * width if bucket <= CLV_BUCKETS else None,
                "customers": counts.get(bucket, (0,))[0],
            }
            for bucket in range(1, CLV_BUCKETS + 2)
        ]

    # ------------------------------------------------------------------
    # Drill-downs
    # ------------------------------------------------------------------

    @api.model
    def _ecrm_drilldown(self, key, period, companies, filters, value):
        if key in ("orders", "revenue", "average_order_value"):
            return self._ecrm_window(
                "sale.order",
                self.env._("Orders"),
                self._ecrm_orders_domain(period, companies, filters),
            )
        if key == "clv_average":
            return self._ecrm_partners(
                SQL(
                    "SELECT customer FROM (%s) c",
                    self._ecrm_order_sql(companies, filters, period),
                )
            )
        if key == "clv_histogram":
            if not isinstance(value, int):
                raise UserError(self.env._("Which bar of the chart?"))
            return self._ecrm_partners(
                SQL(
                    "SELECT partner_id FROM (%s) c WHERE bucket = %s",
                    self._ecrm_clv_sql(companies, filters),
                    value,
                )
            )
        return False
