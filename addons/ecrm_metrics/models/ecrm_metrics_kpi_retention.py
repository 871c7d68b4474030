# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from odoo import api, models
from odoo.tools import SQL


class EcrmMetricsKpiRetention(models.AbstractModel):
    """Retention: the customers active in a period, retained from the one
    before, repeating; the cohorts."""

    _name = "ecrm.metrics.kpi.retention"
    _inherit = "ecrm.metrics.kpi"
    _description = "eCRM Metrics: Retention"
    _ecrm_family_sequence = 30

    @api.model
    def _ecrm_labels(self):
        return {
            "active_customers": self.env._("Active customers"),
            "retention_rate": self.env._("Retention"),
            "churn_rate": self.env._("Churn"),
            "repeat_rate": self.env._("Repeat customers"),
        }

    @api.model
    def _ecrm_compute(self, period, companies, filters, snapshot):
        if self._ecrm_returns_exact(companies, filters, snapshot):
            active, repeat, prev, retained = self._ecrm_returns(
                period, companies, filters
            )
        else:
            active, repeat, prev, retained = self._ecrm_live_customers(
                period, companies, filters
            )
        retention = retained / prev if prev else None
        return {
            "active_customers": active,
            "retention_rate": retention,
            "churn_rate": 1 - retention if retention is not None else None,
            "repeat_rate": repeat / active if active else None,
        }

    @api.model
    def _ecrm_previous_start(self, period):
        """The first day of the period of the same length right before."""
        start, end = period
        return start - timedelta(days=(end - start).days + 1)

    @api.model
    def _ecrm_live_customers(self, period, companies, filters):
        """(active, repeat, previously active, retained) customers, from the
        orders of the period and of the one before: one aggregation per
        customer."""
        start, end = period
        self.env.cr.execute(
            SQL(
                """
                SELECT count(*) FILTER (WHERE n > 0), count(*) FILTER (WHERE n >= 2),
                       count(*) FILTER (WHERE before),
                       count(*) FILTER (WHERE before AND n > 0)
                  FROM (SELECT count(*) FILTER (WHERE day >= %(start)s) AS n,
                               bool_or(day < %(start)s) AS before
                          FROM (%(orders)s) o
                         GROUP BY customer) c
                """,
                orders=self._ecrm_order_sql(
                    companies,
                    filters,
                    (self._ecrm_previous_start(period), end),
                    amounts=False,
                ),
                start=start,
            )
        )
        return self.env.cr.fetchone()

    @api.model
    def _ecrm_returns(self, period, company, filters):
        """(active, repeat, previously active, retained) customers of one
        company and stream of orders (the filters, ``_ecrm_returns_exact``),
        from the return snapshot. Each order is counted under the day
        of its customer's previous order and of the one before, so for a
        period [a, b]: the orders of [a, b] following one of [a, b] are all
        the orders but each customer's first one there (active = orders -
        those); the orders following two of [a, b] are all but the first two
        (repeat = the first - those); retained customers are those whose first
        order in [a, b] follows one of the period before."""
        start, end = period
        prev_start = self._ecrm_previous_start(period)
        self.env.cr.execute(
            SQL(
                """
                SELECT COALESCE(sum(orders) FILTER (
                           WHERE previous_date >= %(start)s AND date <= %(end)s), 0),
                       COALESCE(sum(second_orders) FILTER (
                           WHERE previous_date >= %(start)s AND date <= %(end)s), 0),
                       COALESCE(sum(orders) FILTER (
                           WHERE previous_date >= %(prev_start)s
                             AND date < %(start)s), 0),
                       COALESCE(sum(orders) FILTER (
                           WHERE previous_date < %(start)s AND date >= %(start)s
                             AND date <= %(end)s), 0)
                  FROM ecrm_metrics_return_day r
                 WHERE company_id = %(company)s AND previous_date >= %(prev_start)s
                   AND date <= %(end)s AND %(stream)s
                """,
                company=company.id,
                stream=self._ecrm_stream_sql(filters, "r"),
                start=start,
                end=end,
                prev_start=prev_start,
            )
        )
        again, third, again_before, retained = self.env.cr.fetchone()
        orders = self._ecrm_snapshot_orders(period, company, filters)[0]
        orders_before = self._ecrm_snapshot_orders(
            (prev_start, start - timedelta(days=1)), company, filters
        )[0]
        active = orders - again
        return active, again - third, orders_before - again_before, retained

    @api.model
    def _ecrm_cohorts(self, period, companies, filters, snapshot=True):
        """One row per month of first orders from the month of the period's
        start: ``{"cohort", "customers", "retention"}``."""
        date_from, date_to = period
        start = date_from.replace(day=1)
        snapshot = snapshot and self._ecrm_refreshed(companies)
        if self._ecrm_returns_exact(companies, filters, snapshot):
            query = SQL(
                """
                SELECT cohort, date_trunc('month', date) AS month, sum(customers)
                  FROM ecrm_metrics_cohort_day k
                 WHERE company_id = %(company)s AND cohort >= %(start)s
                   AND date <= %(end)s AND %(stream)s
                 GROUP BY 1, 2
                """,
                company=companies.id,
                stream=self._ecrm_stream_sql(filters, "k"),
                start=start,
                end=date_to,
            )
        else:
            query = SQL(
                """
                WITH firsts AS (%(firsts)s)
                SELECT date_trunc('month', f.first_day) AS cohort,
                       date_trunc('month', o.day) AS month,
                       count(DISTINCT f.customer)
                  FROM firsts f
                  JOIN (%(orders)s) o ON o.customer = f.customer
                 GROUP BY 1, 2
                """,
                firsts=self._ecrm_firsts_sql(
                    (start, date_to), companies, filters, snapshot
                ),
                orders=self._ecrm_order_sql(
                    companies, filters, (start, date_to), amounts=False
                ),
            )
        self.env.cr.execute(
            SQL(
                """
                SELECT to_char(cohort, 'YYYY-MM'),
                       ((extract(year FROM month) - extract(year FROM cohort)) * 12
                        + extract(month FROM month) - extract(month FROM cohort))::int,
                       customers
                  FROM (%s) c (cohort, month, customers)
                """,
                query,
            )
        )
        last = date_to.year * 12 + date_to.month
        cohorts = {}
        for cohort, k, customers in self.env.cr.fetchall():
            if cohort not in cohorts:
                year, month = map(int, cohort.split("-"))
                cohorts[cohort] = [0] * (last - (year * 12 + month) + 1)
            cohorts[cohort][k] = customers
        return [
            {
                "cohort": cohort,
                "customers": counts[0],
                "retention": [round(n / counts[0], 4) for n in counts],
            }
            for cohort, counts in sorted(cohorts.items())
        ]

    @api.model
    def _ecrm_drilldown(self, key, period, companies, filters, value):
        start, end = period
        if key in ("active_customers", "repeat_rate"):
            orders = self._ecrm_order_sql(companies, filters, period)
        elif key in ("retention_rate", "churn_rate"):
            orders = self._ecrm_order_sql(
                companies,
                filters,
                (start - (end - start) - timedelta(days=1), start - timedelta(days=1)),
            )
        else:
            return False
        return self._ecrm_partners(SQL("SELECT customer FROM (%s) c", orders))
