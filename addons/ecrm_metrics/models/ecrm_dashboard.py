# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging
import random
from datetime import datetime, time, timedelta

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

RATED_MODELS = ("helpdesk.ticket", "sale.order", "stock.picking")
# the rate of the currency table sale.report joins (1 where there is none)
RATE = SQL(
    "CASE COALESCE(account_currency_table.rate, 0) WHEN 0 THEN 1.0"
    " ELSE account_currency_table.rate END"
)
SATISFIED = 4  # Odoo's RATING_LIMIT_SATISFIED: 4 and 5 are "satisfied"


class EcrmDashboard(models.AbstractModel):
    """The figures of the eCRM dashboard and the refresh of their daily
    snapshots. Every figure is defined in ``readme/DESCRIPTION.md``; the
    definitions are the contract ``get_kpis`` keeps (tests/test_kpis.py).

    Additive daily figures (orders, revenue, tickets and first responses,
    deliveries) are read from the snapshot tables, refreshed incrementally by
    the cron; distinct counts over a period (active, new and retained
    customers), SLA compliance (it moves as deadlines pass), ratings, NPS and
    coupons are read live: each is one indexed query."""

    _name = "ecrm.dashboard"
    _description = "eCRM Dashboard"

    # ------------------------------------------------------------------
    # Public API (RPC: read-only, served by a read replica when configured)
    # ------------------------------------------------------------------

    @api.model
    @api.readonly
    def get_kpis(self, date_from, date_to, company_ids=None):
        period = self._ecrm_period(date_from, date_to)
        companies = self._ecrm_companies(company_ids)
        kpis = self._ecrm_live_kpis(period, companies)
        kpis.update(self._ecrm_snapshot_kpis(period, companies))
        return kpis

    @api.model
    @api.readonly
    def get_cohorts(self, date_from, date_to, company_ids=None):
        """One row per month in which customers made their first order (from
        the month of ``date_from`` to that of ``date_to``): the share of the
        cohort with an order in each calendar month after the first."""
        date_from, date_to = self._ecrm_period(date_from, date_to)
        companies = self._ecrm_companies(company_ids)
        self.env.cr.execute(
            SQL(
                """
                WITH orders AS (
                    SELECT so.ecrm_commercial_partner_id AS customer,
                           date_trunc('month', so.date_order)::date AS month
                      FROM sale_order so
                     WHERE so.state = 'sale' AND so.company_id = ANY(%(companies)s)
                       AND so.date_order < %(end)s
                ), firsts AS (
                    SELECT customer, min(month) AS cohort FROM orders GROUP BY customer
                ), active AS (
                    SELECT DISTINCT f.cohort, o.customer,
                           (extract(year FROM age(o.month, f.cohort)) * 12
                            + extract(month FROM age(o.month, f.cohort)))::int AS k
                      FROM orders o JOIN firsts f USING (customer)
                     WHERE f.cohort >= date_trunc('month', %(start)s::date)
                )
                SELECT to_char(cohort, 'YYYY-MM'),
                       count(*) FILTER (WHERE k = 0),
                       array_agg(k)
                  FROM active
                 GROUP BY cohort
                 ORDER BY cohort
                """,
                companies=companies.ids,
                start=date_from,
                end=date_to + timedelta(days=1),
            )
        )
        last = date_to.year * 12 + date_to.month
        rows = []
        for cohort, size, ks in self.env.cr.fetchall():
            year, month = map(int, cohort.split("-"))
            months = last - (year * 12 + month) + 1
            counts = [0] * months
            for k in ks:
                counts[k] += 1
            rows.append(
                {
                    "cohort": cohort,
                    "customers": size,
                    "retention": [round(c / size, 4) for c in counts],
                }
            )
        return rows

    @api.model
    @api.readonly
    def get_rfm_moves(self, date_a, date_b, company_ids=None):
        """Customers per (RFM segment at A, segment at B), from the segment
        history the refresh records."""
        date_a, date_b = fields.Date.to_date(date_a), fields.Date.to_date(date_b)
        companies = self._ecrm_companies(company_ids)
        self.env.cr.execute(
            SQL(
                """
                WITH at AS (
                    SELECT DISTINCT ON (partner_id, company_id, d)
                           partner_id, company_id, d, rfm_segment
                      FROM ecrm_metrics_segment_history h
                     CROSS JOIN (VALUES (%(a)s::date), (%(b)s::date)) v(d)
                     WHERE h.date <= v.d AND h.company_id = ANY(%(companies)s)
                     ORDER BY partner_id, company_id, d, h.date DESC
                )
                SELECT a.rfm_segment, b.rfm_segment, count(*)
                  FROM at b
                  LEFT JOIN at a ON a.partner_id = b.partner_id
                   AND a.company_id = b.company_id AND a.d = %(a)s
                 WHERE b.d = %(b)s
                 GROUP BY 1, 2
                 ORDER BY 3 DESC
                """,
                a=date_a,
                b=date_b,
                companies=companies.ids,
            )
        )
        return [
            {"from": seg_a or False, "to": seg_b or False, "customers": n}
            for seg_a, seg_b, n in self.env.cr.fetchall()
        ]

    # ------------------------------------------------------------------
    # Arguments
    # ------------------------------------------------------------------

    @api.model
    def _ecrm_period(self, date_from, date_to):
        try:
            start, end = fields.Date.to_date(date_from), fields.Date.to_date(date_to)
        except ValueError as e:
            raise UserError(self.env._("Invalid date: %s", e)) from e
        if not start or not end or start > end:
            raise UserError(
                self.env._("The period must have a start date before its end date.")
            )
        return start, end

    @api.model
    def _ecrm_companies(self, company_ids):
        """The companies asked for, never more than the user's allowed ones;
        eCRM users only (an abstract model has no access rights of its own)."""
        if not self.env.user.has_group("ecrm_core.group_ecrm_user"):
            raise AccessError(self.env._("The eCRM dashboard is for eCRM users."))
        allowed = self.env.companies
        if company_ids is None:
            return allowed
        companies = allowed.filtered(lambda c: c.id in company_ids)
        if len(companies) != len(set(company_ids)):
            raise UserError(self.env._("You may not read the figures of that company."))
        return companies

    @api.model
    def _ecrm_currency_table(self, companies):
        """Rates to the current company's currency, as sale.report converts."""
        return self.env["res.currency"]._get_simple_currency_table(companies)

    # ------------------------------------------------------------------
    # Figures
    # ------------------------------------------------------------------

    @api.model
    def _ecrm_order_sql(self, companies):
        """Confirmed orders of the companies with their commercial customer,
        UTC day and untaxed amount converted as sale.report does."""
        return SQL(
            """
            SELECT so.id, so.ecrm_commercial_partner_id AS customer,
                   so.date_order::date AS day, so.company_id, so.ecrm_channel,
                   so.amount_untaxed
                       / CASE COALESCE(so.currency_rate, 0) WHEN 0 THEN 1.0
                              ELSE so.currency_rate END
                       * %(rate)s
                       AS amount
              FROM sale_order so
              JOIN %(currency_table)s
                    ON account_currency_table.company_id = so.company_id
             WHERE so.state = 'sale' AND so.company_id = ANY(%(companies)s)
            """,
            currency_table=self._ecrm_currency_table(companies),
            rate=RATE,
            companies=companies.ids,
        )

    @api.model
    def _ecrm_live_kpis(self, period, companies):
        """Every figure, computed from the source tables."""
        start, end = period
        days = (end - start).days + 1
        prev_start = start - timedelta(days=days)
        cr = self.env.cr
        cr.execute(
            SQL(
                """
                WITH o AS (%(orders)s), p AS (
                    SELECT * FROM o WHERE day BETWEEN %(start)s AND %(end)s
                ), per_customer AS (
                    SELECT customer, count(*) AS n FROM p GROUP BY customer
                ), prev AS (
                    SELECT DISTINCT customer FROM o
                     WHERE day BETWEEN %(prev_start)s AND %(prev_end)s
                ), firsts AS (
                    SELECT customer, min(day) AS first_day FROM o GROUP BY customer
                )
                SELECT (SELECT count(*) FROM p),
                       (SELECT sum(amount) FROM p),
                       (SELECT count(*) FROM per_customer),
                       (SELECT count(*) FROM per_customer WHERE n >= 2),
                       (SELECT count(*) FROM firsts
                         WHERE first_day BETWEEN %(start)s AND %(end)s),
                       (SELECT count(*) FROM prev),
                       (SELECT count(*) FROM prev JOIN per_customer USING (customer)),
                       (SELECT avg(pr.clv
                                   * %(rate)s)
                          FROM (SELECT DISTINCT customer, company_id FROM p) a
                          JOIN ecrm_profile pr ON pr.partner_id = a.customer
                           AND pr.company_id = a.company_id
                          JOIN %(currency_table)s
                    ON account_currency_table.company_id = a.company_id)
                """,
                orders=self._ecrm_order_sql(companies),
                currency_table=self._ecrm_currency_table(companies),
                rate=RATE,
                start=start,
                end=end,
                prev_start=prev_start,
                prev_end=start - timedelta(days=1),
            )
        )
        (orders, revenue, active, repeat, new, prev, retained, clv) = cr.fetchone()
        retention = retained / prev if prev else None
        kpis = {
            "orders": orders,
            "revenue": float(revenue or 0.0),
            "average_order_value": float(revenue) / orders if orders else None,
            "active_customers": active,
            "new_customers": new,
            "retention_rate": retention,
            "churn_rate": 1 - retention if retention is not None else None,
            "repeat_rate": repeat / active if active else None,
            "clv_average": float(clv) if clv is not None else None,
        }
        kpis.update(self._ecrm_service_kpis(period, companies))
        kpis.update(self._ecrm_coupon_kpis(period, companies))
        return kpis

    @api.model
    def _ecrm_service_kpis(self, period, companies):
        start, end = period
        cr = self.env.cr
        cr.execute(
            SQL(
                """
                SELECT count(*),
                       avg(extract(epoch FROM t.ecrm_first_response_date
                                              - t.create_date) / 3600.0)
                           FILTER (WHERE t.ecrm_first_response_date IS NOT NULL),
                       count(*) FILTER (
                           WHERE t.ecrm_first_response_deadline IS NOT NULL
                             AND (t.ecrm_first_response_deadline
                                      < now() at time zone 'UTC'
                                  OR t.ecrm_first_response_date IS NOT NULL)),
                       count(*) FILTER (
                           WHERE t.ecrm_first_response_date
                                 <= t.ecrm_first_response_deadline)
                  FROM helpdesk_ticket t
                 WHERE t.company_id = ANY(%(companies)s)
                   AND t.create_date::date BETWEEN %(start)s AND %(end)s
                """,
                companies=companies.ids,
                start=start,
                end=end,
            )
        )
        tickets, first_response, sla_due, sla_met = cr.fetchone()
        cr.execute(
            SQL(
                """
                SELECT count(*), count(*) FILTER (WHERE r.rating >= %(satisfied)s)
                  FROM rating_rating r
                  LEFT JOIN helpdesk_ticket t
                    ON r.res_model = 'helpdesk.ticket' AND t.id = r.res_id
                  LEFT JOIN sale_order so
                    ON r.res_model = 'sale.order' AND so.id = r.res_id
                  LEFT JOIN stock_picking sp
                    ON r.res_model = 'stock.picking' AND sp.id = r.res_id
                 WHERE r.consumed AND r.rating > 0
                   AND r.res_model = ANY(%(models)s)
                   AND COALESCE(t.company_id, so.company_id, sp.company_id)
                       = ANY(%(companies)s)
                   AND r.write_date::date BETWEEN %(start)s AND %(end)s
                """,
                satisfied=SATISFIED,
                models=list(RATED_MODELS),
                companies=companies.ids,
                start=start,
                end=end,
            )
        )
        rated, satisfied = cr.fetchone()
        kpis = {
            "tickets": tickets,
            "avg_first_response_hours": (
                float(first_response) if first_response is not None else None
            ),
            "sla_met_rate": sla_met / sla_due if sla_due else None,
            "csat": satisfied / rated if rated else None,
            "nps": None,
        }
        if "ecrm.nps.answer" in self.env:
            cr.execute(
                SQL(
                    """
                    SELECT count(*), count(*) FILTER (WHERE score >= 9),
                           count(*) FILTER (WHERE score <= 6)
                      FROM ecrm_nps_answer
                     WHERE company_id = ANY(%(companies)s)
                       AND date::date BETWEEN %(start)s AND %(end)s
                    """,
                    companies=companies.ids,
                    start=start,
                    end=end,
                )
            )
            answers, promoters, detractors = cr.fetchone()
            if answers:
                kpis["nps"] = round(100.0 * (promoters - detractors) / answers, 2)
        kpis.update(self._ecrm_delivery_live(period, companies))
        return kpis

    @api.model
    def _ecrm_delivery_sql(self, companies):
        return SQL(
            """
            SELECT sp.company_id, sp.date_done::date AS day,
                   sp.date_done <= COALESCE(sp.date_deadline, sp.scheduled_date)
                       AS on_time
              FROM stock_picking sp
              JOIN stock_picking_type spt ON spt.id = sp.picking_type_id
             WHERE spt.code = 'outgoing' AND sp.state = 'done'
               AND sp.company_id = ANY(%(companies)s)
            """,
            companies=companies.ids,
        )

    @api.model
    def _ecrm_delivery_live(self, period, companies):
        self.env.cr.execute(
            SQL(
                """
                SELECT count(*), count(*) FILTER (WHERE on_time)
                  FROM (%(deliveries)s) d
                 WHERE day BETWEEN %(start)s AND %(end)s
                """,
                deliveries=self._ecrm_delivery_sql(companies),
                start=period[0],
                end=period[1],
            )
        )
        validated, on_time = self.env.cr.fetchone()
        return {"on_time_delivery_rate": on_time / validated if validated else None}

    @api.model
    def _ecrm_coupon_kpis(self, period, companies):
        """Coupons issued by ecrm_loyalty's rules (its contract: one
        ``ecrm.coupon.issue`` per coupon; ``rules._ecrm_results``)."""
        keys = ("coupons_issued", "coupons_redeemed", "coupon_revenue")
        kpis = dict.fromkeys((*keys, "incremental_revenue"))
        if "ecrm.coupon.issue" not in self.env:
            return kpis
        start, end = period
        self.env.cr.execute(
            SQL(
                """
                WITH o AS (%(orders)s)
                SELECT (SELECT count(*) FROM ecrm_coupon_issue i
                         WHERE i.company_id = ANY(%(companies)s) AND NOT i.is_control
                           AND i.card_id IS NOT NULL
                           AND i.create_date::date BETWEEN %(start)s AND %(end)s),
                       (SELECT count(*) FROM ecrm_coupon_issue i
                         WHERE i.company_id = ANY(%(companies)s)
                           AND i.redeemed_date::date BETWEEN %(start)s AND %(end)s),
                       (SELECT sum(o.amount) FROM o
                         WHERE o.day BETWEEN %(start)s AND %(end)s
                           AND o.id IN (SELECT order_id FROM ecrm_coupon_issue
                                         WHERE order_id IS NOT NULL))
                """,
                orders=self._ecrm_order_sql(companies),
                companies=companies.ids,
                start=start,
                end=end,
            )
        )
        issued, redeemed, revenue = self.env.cr.fetchone()
        rules = (
            self.env["ecrm.coupon.rule"]
            .sudo()
            .with_context(active_test=False)
            .search([("company_id", "in", companies.ids)])
        )
        results = rules._ecrm_results(date_from=start, date_to=end) if rules else {}
        kpis.update(
            coupons_issued=issued,
            coupons_redeemed=redeemed,
            coupon_revenue=float(revenue or 0.0),
            incremental_revenue=float(
                sum(r["incremental_revenue"] or 0.0 for r in results.values())
            ),
        )
        return kpis

    @api.model
    def _ecrm_snapshot_kpis(self, period, companies):
        """The additive figures, summed from the daily snapshots: the same
        numbers as the live ones once the snapshots are refreshed."""
        start, end = period
        cr = self.env.cr
        cr.execute(
            SQL(
                """
                SELECT sum(d.orders),
                       sum(d.revenue * %(rate)s)
                  FROM ecrm_metrics_order_day d
                  JOIN %(currency_table)s
                    ON account_currency_table.company_id = d.company_id
                 WHERE d.company_id = ANY(%(companies)s)
                   AND d.date BETWEEN %(start)s AND %(end)s
                """,
                currency_table=self._ecrm_currency_table(companies),
                rate=RATE,
                companies=companies.ids,
                start=start,
                end=end,
            )
        )
        orders, revenue = cr.fetchone()
        orders = orders or 0
        cr.execute(
            SQL(
                """
                SELECT sum(tickets),
                       sum(first_response_hours) / NULLIF(sum(first_responses), 0)
                  FROM ecrm_metrics_ticket_day
                 WHERE company_id = ANY(%(companies)s)
                   AND date BETWEEN %(start)s AND %(end)s
                """,
                companies=companies.ids,
                start=start,
                end=end,
            )
        )
        tickets, first_response = cr.fetchone()
        cr.execute(
            SQL(
                """
                SELECT sum(deliveries), sum(on_time)
                  FROM ecrm_metrics_delivery_day
                 WHERE company_id = ANY(%(companies)s)
                   AND date BETWEEN %(start)s AND %(end)s
                """,
                companies=companies.ids,
                start=start,
                end=end,
            )
        )
        validated, on_time = cr.fetchone()
        return {
            "orders": orders,
            "revenue": float(revenue or 0.0),
            "average_order_value": float(revenue) / orders if orders else None,
            "tickets": tickets or 0,
            "avg_first_response_hours": (
                float(first_response) if first_response is not None else None
            ),
            "on_time_delivery_rate": on_time / validated if validated else None,
        }

    # ------------------------------------------------------------------
    # Snapshots
    # ------------------------------------------------------------------

    @api.model
    def _ecrm_refresh(self, full=False):
        """Refresh the daily snapshots of every company: only the days whose
        source rows changed since the company's last refresh, or everything
        (``full``). Called by the cron one company per call (Odoo 18's batch
        protocol: the runner calls again while companies remain)."""
        companies = self.env["res.company"].sudo().search([], order="id")  # pylint: disable=no-search-all
        if self.env.context.get("cron_id"):
            lastcall = self.env.context.get("lastcall")
            todo = companies.filtered(
                lambda c: (
                    not c.ecrm_metrics_refreshed_at
                    or (lastcall and c.ecrm_metrics_refreshed_at <= lastcall)
                )
            )
            if todo:
                self._ecrm_refresh_company(todo[0], full)
            self.env["ir.cron"]._notify_progress(
                done=len(todo[:1]), remaining=len(todo) - len(todo[:1])
            )
            return
        for company in companies:
            self._ecrm_refresh_company(company, full)

    @api.model
    def _ecrm_refresh_company(self, company, full=False):
        self.env.flush_all()
        cr = self.env.cr
        # one refresh of a company at a time (two cron workers, a manual rebuild)
        cr.execute(SQL("SELECT pg_advisory_xact_lock(%s, %s)", 0x65636D78, company.id))
        cr.execute(SQL("SELECT now() at time zone 'UTC'"))
        now = cr.fetchone()[0]
        since = None if full else (company.sudo().ecrm_metrics_refreshed_at or None)
        companies = company
        day_sets = {
            "ecrm_metrics_order_day": SQL(
                "SELECT date_order::date FROM sale_order WHERE company_id = %s"
                " AND write_date >= %s",
                company.id,
                since,
            ),
            "ecrm_metrics_ticket_day": SQL(
                "SELECT create_date::date FROM helpdesk_ticket WHERE company_id = %s"
                " AND write_date >= %s",
                company.id,
                since,
            ),
            "ecrm_metrics_delivery_day": SQL(
                "SELECT date_done::date FROM stock_picking WHERE company_id = %s"
                " AND write_date >= %s AND date_done IS NOT NULL",
                company.id,
                since,
            ),
        }
        sources = {
            "ecrm_metrics_order_day": SQL(
                """
                INSERT INTO ecrm_metrics_order_day
                       (date, company_id, channel, orders, revenue)
                SELECT day, company_id, ecrm_channel, count(*), sum(amount)
                  FROM (%(orders)s) o
                 WHERE %(days)s
                 GROUP BY day, company_id, ecrm_channel
                """,
                orders=SQL(
                    """
                    SELECT so.date_order::date AS day, so.company_id, so.ecrm_channel,
                           so.amount_untaxed
                               / CASE COALESCE(so.currency_rate, 0) WHEN 0 THEN 1.0
                                      ELSE so.currency_rate END AS amount
                      FROM sale_order so
                     WHERE so.state = 'sale' AND so.company_id = %s
                    """,
                    company.id,
                ),
                days=self._ecrm_days_filter(
                    "day", since, day_sets["ecrm_metrics_order_day"]
                ),
            ),
            "ecrm_metrics_ticket_day": SQL(
                """
                INSERT INTO ecrm_metrics_ticket_day
                       (date, company_id, tickets, first_responses,
                        first_response_hours)
                SELECT t.create_date::date, t.company_id, count(*),
                       count(t.ecrm_first_response_date),
                       COALESCE(sum(extract(epoch FROM t.ecrm_first_response_date
                                             - t.create_date) / 3600.0), 0)
                  FROM helpdesk_ticket t
                 WHERE t.company_id = %(company)s AND %(days)s
                 GROUP BY 1, 2
                """,
                company=company.id,
                days=self._ecrm_days_filter(
                    SQL("t.create_date::date"),
                    since,
                    day_sets["ecrm_metrics_ticket_day"],
                ),
            ),
            "ecrm_metrics_delivery_day": SQL(
                """
                INSERT INTO ecrm_metrics_delivery_day
                       (date, company_id, deliveries, on_time)
                SELECT day, company_id, count(*), count(*) FILTER (WHERE on_time)
                  FROM (%(deliveries)s) d
                 WHERE %(days)s
                 GROUP BY 1, 2
                """,
                deliveries=self._ecrm_delivery_sql(companies),
                days=self._ecrm_days_filter(
                    "day", since, day_sets["ecrm_metrics_delivery_day"]
                ),
            ),
        }
        for table, insert in sources.items():
            cr.execute(
                SQL(
                    "DELETE FROM %s WHERE company_id = %s AND %s",
                    SQL.identifier(table),
                    company.id,
                    self._ecrm_days_filter("date", since, day_sets[table]),
                )
            )
            cr.execute(insert)
        self._ecrm_refresh_profiles(company, now.date())
        company.sudo().ecrm_metrics_refreshed_at = now
        self.env.invalidate_all()

    @api.model
    def _ecrm_days_filter(self, column, since, changed_days):
        if isinstance(column, str):
            column = SQL.identifier(column)
        if since is None:
            return SQL("TRUE")
        return SQL("%s IN (%s)", column, changed_days)

    @api.model
    def _ecrm_refresh_profiles(self, company, today):
        """Today's customers per level, stage and segment; the RFM segment
        history (a row when a customer's segment changed)."""
        cr = self.env.cr
        cr.execute(
            SQL(
                """
                DELETE FROM ecrm_metrics_profile_day WHERE company_id = %(company)s
                   AND date = %(today)s;
                INSERT INTO ecrm_metrics_profile_day
                       (date, company_id, level_id, lifecycle_stage, rfm_segment,
                        customers, clv)
                SELECT %(today)s, company_id, level_id, lifecycle_stage, rfm_segment,
                       count(*), sum(clv)
                  FROM ecrm_profile
                 WHERE company_id = %(company)s
                 GROUP BY company_id, level_id, lifecycle_stage, rfm_segment;
                INSERT INTO ecrm_metrics_segment_history
                       (partner_id, company_id, date, rfm_segment)
                SELECT p.partner_id, p.company_id, %(today)s, p.rfm_segment
                  FROM ecrm_profile p
                  LEFT JOIN LATERAL (
                        SELECT h.rfm_segment FROM ecrm_metrics_segment_history h
                         WHERE h.partner_id = p.partner_id
                           AND h.company_id = p.company_id
                         ORDER BY h.date DESC LIMIT 1) last ON TRUE
                 WHERE p.company_id = %(company)s
                   AND p.rfm_segment IS DISTINCT FROM last.rfm_segment
                ON CONFLICT (partner_id, company_id, date)
                   DO UPDATE SET rfm_segment = EXCLUDED.rfm_segment
                """,
                company=company.id,
                today=today,
            )
        )

    @api.model
    def _ecrm_action_rebuild(self):
        """Rebuild every snapshot: in the background (the cron), never in the
        request of the manager who asked."""
        if not self.env.user.has_group("ecrm_core.group_ecrm_manager"):
            raise AccessError(
                self.env._("Only eCRM managers may rebuild the snapshots.")
            )
        self.env["res.company"].sudo().search([]).ecrm_metrics_refreshed_at = False  # pylint: disable=no-search-all
        self.env.ref("ecrm_metrics.ir_cron_ecrm_metrics_refresh").sudo()._trigger()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "message": self.env._(
                    "The snapshots are being rebuilt in the background."
                ),
                "type": "info",
            },
        }

    # ------------------------------------------------------------------
    # Weekly digest
    # ------------------------------------------------------------------

    DIGEST_FIGURES = (
        "revenue",
        "orders",
        "new_customers",
        "active_customers",
        "retention_rate",
        "csat",
        "sla_met_rate",
    )

    @api.model
    def _ecrm_send_digest(self):
        """Queue the week's headline figures, with their change against the
        week before, to each eCRM manager who did not opt out."""
        managers = self.env.ref("ecrm_core.group_ecrm_manager").users.filtered(
            lambda u: u.ecrm_metrics_digest and u.email and u.active and not u.share
        )
        template = self.env.ref("ecrm_metrics.mail_template_ecrm_digest")
        end = fields.Date.context_today(self) - timedelta(days=1)
        start = end - timedelta(days=6)
        labels = self._ecrm_labels()
        for manager in managers:
            dashboard = self.with_user(manager).with_company(manager.company_id)
            dashboard = dashboard.with_context(
                allowed_company_ids=manager.company_ids.ids
            )
            now = dashboard.get_kpis(start, end)
            before = dashboard.get_kpis(
                start - timedelta(days=7), start - timedelta(days=1)
            )
            template.with_context(
                ecrm_digest=[
                    (labels[key], now[key], before[key]) for key in self.DIGEST_FIGURES
                ],
                ecrm_period=(start, end),
            ).send_mail(manager.id)

    @api.model
    def _ecrm_labels(self):
        return {
            "orders": self.env._("Orders"),
            "revenue": self.env._("Revenue"),
            "average_order_value": self.env._("Average order value"),
            "active_customers": self.env._("Active customers"),
            "new_customers": self.env._("New customers"),
            "retention_rate": self.env._("Retention"),
            "churn_rate": self.env._("Churn"),
            "repeat_rate": self.env._("Repeat customers"),
            "clv_average": self.env._("Average CLV"),
            "tickets": self.env._("Tickets"),
            "avg_first_response_hours": self.env._("First response (hours)"),
            "sla_met_rate": self.env._("SLA met"),
            "csat": self.env._("CSAT"),
            "nps": self.env._("NPS"),
            "on_time_delivery_rate": self.env._("On-time delivery"),
            "coupons_issued": self.env._("Coupons issued"),
            "coupons_redeemed": self.env._("Coupons redeemed"),
            "coupon_revenue": self.env._("Coupon revenue"),
            "incremental_revenue": self.env._("Incremental revenue"),
        }

    # ------------------------------------------------------------------
    # Screen
    # ------------------------------------------------------------------

    @api.model
    @api.readonly
    def get_dashboard(self, date_from, date_to, company_ids=None):
        """Everything the dashboard screen shows, in one call."""
        start, end = self._ecrm_period(date_from, date_to)
        companies = self._ecrm_companies(company_ids)
        days = (end - start).days + 1
        before = (start - timedelta(days=days), start - timedelta(days=1))
        kpis = self.get_kpis(start, end, companies.ids)
        previous = self.get_kpis(*before, companies.ids)
        missing = self._ecrm_missing_sources()
        cr = self.env.cr
        cr.execute(
            SQL(
                """
                SELECT d.date, sum(d.revenue * %(rate)s)
                  FROM ecrm_metrics_order_day d
                  JOIN %(currency_table)s
                    ON account_currency_table.company_id = d.company_id
                 WHERE d.company_id = ANY(%(companies)s)
                   AND d.date BETWEEN %(start)s AND %(end)s
                 GROUP BY d.date ORDER BY d.date
                """,
                currency_table=self._ecrm_currency_table(companies),
                rate=RATE,
                companies=companies.ids,
                start=start,
                end=end,
            )
        )
        revenue_by_day = [[str(day), float(amount)] for day, amount in cr.fetchall()]
        profiles = self.env["ecrm.metrics.profile.day"]
        last = profiles.search(
            [("company_id", "in", companies.ids)], order="date desc", limit=1
        ).date
        distribution = {}
        for field in ("level_id", "lifecycle_stage", "rfm_segment"):
            groups = profiles._read_group(
                [("company_id", "in", companies.ids), ("date", "=", last)],
                [field],
                ["customers:sum"],
            )
            names = (
                dict(profiles._fields[field]._description_selection(self.env))
                if (field != "level_id")
                else {}
            )
            distribution[field] = [
                [
                    value.display_name if field == "level_id" else names.get(value),
                    count,
                ]
                for value, count in groups
            ]
        clv = profiles._read_group(
            [("company_id", "in", companies.ids), ("date", "=", last)],
            [],
            ["clv:sum", "customers:sum"],
        )[0]
        return {
            "currency_id": self.env.company.currency_id.id,
            "labels": self._ecrm_labels(),
            "kpis": kpis,
            "previous": previous,
            "missing": missing,
            "revenue_by_day": revenue_by_day,
            "cohorts": self.get_cohorts(
                start.replace(day=1) - timedelta(days=334), end, companies.ids
            ),
            "distribution": distribution,
            "clv_total": clv[0],
            "customers_total": clv[1],
            "snapshot_date": last and str(last),
        }

    @api.model
    def _ecrm_missing_sources(self):
        """Figures whose source addon has not built them yet: the card shows
        what it needs instead of a value."""
        missing = {}
        if "ecrm.nps.answer" not in self.env:
            missing["nps"] = self.env._("needs NPS answers (ecrm_portal)")
        if "ecrm.coupon.issue" not in self.env:
            for key in (
                "coupons_issued",
                "coupons_redeemed",
                "coupon_revenue",
                "incremental_revenue",
            ):
                missing[key] = self.env._("needs coupon issues (ecrm_loyalty)")
        return missing

    @api.model
    def action_drilldown(self, key, date_from, date_to, company_ids=None):
        """The records a figure counts, as a window action."""
        start, end = self._ecrm_period(date_from, date_to)
        companies = self._ecrm_companies(company_ids)
        after = fields.Datetime.to_string(datetime.combine(start, time.min))
        before = fields.Datetime.to_string(datetime.combine(end, time.max))
        orders = [
            ("state", "=", "sale"),
            ("company_id", "in", companies.ids),
            ("date_order", ">=", after),
            ("date_order", "<=", before),
        ]
        if key in ("orders", "revenue", "average_order_value", "coupon_revenue"):
            if key == "coupon_revenue" and "ecrm.coupon.issue" in self.env:
                orders.append(
                    (
                        "id",
                        "in",
                        self.env["ecrm.coupon.issue"]
                        .sudo()
                        .search([("order_id", "!=", False)])
                        .order_id.ids,
                    )
                )
            return self._ecrm_window("sale.order", self.env._("Orders"), orders)
        if key in (
            "active_customers",
            "new_customers",
            "repeat_rate",
            "retention_rate",
            "churn_rate",
            "clv_average",
        ):
            customers = self.env["sale.order"]._read_group(orders, ["partner_id"])
            partners = self.env["res.partner"].union(*(p for (p,) in customers))
            return self._ecrm_window(
                "res.partner",
                self.env._("Customers"),
                [("id", "in", partners.commercial_partner_id.ids)],
            )
        if key in ("tickets", "avg_first_response_hours", "sla_met_rate"):
            return self._ecrm_window(
                "helpdesk.ticket",
                self.env._("Tickets"),
                [
                    ("company_id", "in", companies.ids),
                    ("create_date", ">=", after),
                    ("create_date", "<=", before),
                ],
            )
        if key in ("csat", "nps"):
            return self._ecrm_window(
                "rating.rating",
                self.env._("Ratings"),
                [
                    ("consumed", "=", True),
                    ("res_model", "in", list(RATED_MODELS)),
                    ("write_date", ">=", after),
                    ("write_date", "<=", before),
                ],
            )
        if key == "on_time_delivery_rate":
            return self._ecrm_window(
                "stock.picking",
                self.env._("Deliveries"),
                [
                    ("picking_type_code", "=", "outgoing"),
                    ("state", "=", "done"),
                    ("company_id", "in", companies.ids),
                    ("date_done", ">=", after),
                    ("date_done", "<=", before),
                ],
            )
        if key.startswith("coupons") or key == "incremental_revenue":
            return self._ecrm_window(
                "ecrm.coupon.rule",
                self.env._("Coupon rules"),
                [("company_id", "in", companies.ids)],
            )
        raise UserError(self.env._("Unknown figure: %s", key))

    @api.model
    def _ecrm_window(self, model, name, domain):
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": model,
            "views": [[False, "list"], [False, "form"]],
            "domain": domain,
            "target": "current",
        }

    # ------------------------------------------------------------------
    # Demo data
    # ------------------------------------------------------------------

    @api.model
    def _ecrm_demo_history(self, months=14, seed=7):
        """Orders over the last ``months`` for the demo customers (more for a
        few loyal ones), some cancelled, their deliveries validated (mostly on
        time), tickets answered within or after their deadline and ratings;
        then the profiles and the snapshots. Dates are set in SQL, relative to
        today, as they would be after the fact."""
        rng = random.Random(seed)
        company = self.env.ref("base.main_company")
        users = self.env["res.users"].with_context(active_test=False).search([])  # pylint: disable=no-search-all
        customers = self.env["res.partner"].search(
            [
                ("parent_id", "=", False),
                ("id", "not in", users.partner_id.ids),
                ("id", "not in", self.env["res.company"].search([]).partner_id.ids),  # pylint: disable=no-search-all
                ("company_id", "in", (False, company.id)),
            ],
            limit=30,
            order="id",
        )
        products = self.env["product.product"].search(
            [("sale_ok", "=", True), ("type", "=", "consu")], limit=6
        )
        today = fields.Date.context_today(self)
        vals, days = [], []
        for n, customer in enumerate(customers):
            first = rng.randint(0, months * 30)
            for _ in range(1 + (n % 5 == 0) * 6 + rng.randint(0, 2)):
                days.append(rng.randint(0, first))
                product = products[rng.randrange(len(products))]
                vals.append(
                    {
                        "partner_id": customer.id,
                        "company_id": company.id,
                        "order_line": [
                            Command.create(
                                {
                                    "product_id": product.id,
                                    "product_uom_qty": rng.randint(1, 4),
                                }
                            )
                        ],
                    }
                )
        orders = self.env["sale.order"].with_company(company).create(vals)
        orders.action_confirm()
        cancelled = orders.filtered(lambda o: rng.random() < 0.05)
        cancelled._action_cancel()
        self.env.flush_all()
        cr = self.env.cr
        for order, age in zip(orders, days, strict=True):
            when = datetime.combine(today - timedelta(days=age), time(10))
            cr.execute(
                "UPDATE sale_order SET date_order = %s WHERE id = %s", [when, order.id]
            )
            late = rng.random() < 0.15
            cr.execute(
                """
                UPDATE stock_picking
                   SET state = 'done', scheduled_date = %s, date_done = %s
                 WHERE sale_id = %s AND state NOT IN ('done', 'cancel') AND %s
                """,
                [
                    when + timedelta(days=3),
                    when + timedelta(days=5 if late else 2),
                    order.id,
                    age > 3,
                ],
            )
        tickets = self.env["helpdesk.ticket"].create(
            [
                {
                    "name": self.env._("Question about order %s", order.name),
                    "description": self.env._("When will it arrive?"),
                    "partner_id": order.partner_id.id,
                    "company_id": company.id,
                }
                for order in orders[::4]
            ]
        )
        self.env.flush_all()
        for ticket, age in zip(tickets, days[::4], strict=True):
            created = datetime.combine(today - timedelta(days=age), time(9))
            response = created + timedelta(hours=rng.choice((1, 3, 6, 20, 30)))
            cr.execute(
                """
                UPDATE helpdesk_ticket
                   SET create_date = %s, ecrm_first_response_date = %s,
                       ecrm_first_response_deadline = %s
                 WHERE id = %s
                """,
                [created, response, created + timedelta(hours=8), ticket.id],
            )
            rating = rng.choice((5, 5, 4, 4, 3, 1))
            ticket.rating_ids.unlink()
            cr.execute(
                """
                INSERT INTO rating_rating
                       (res_model_id, res_model, res_id, partner_id, rating, consumed,
                        access_token, create_date, write_date)
                VALUES (%s, 'helpdesk.ticket', %s, %s, %s, TRUE, md5(random()::text),
                        %s, %s)
                """,
                [
                    self.env["ir.model"]._get_id("helpdesk.ticket"),
                    ticket.id,
                    ticket.partner_id.id,
                    rating,
                    response,
                    response + timedelta(hours=2),
                ],
            )
        self.env.invalidate_all()
        self.env["ecrm.profile"].with_company(company)._ecrm_recompute_all()
        self._ecrm_refresh(full=True)
