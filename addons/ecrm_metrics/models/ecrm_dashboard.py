# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging
import random
from datetime import datetime, time, timedelta

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL
from odoo.tools.misc import formatLang

from .ecrm_metrics_return_day import ORDER_TABLE, UNLINKED_TABLE

_logger = logging.getLogger(__name__)

RATED_MODELS = ("helpdesk.ticket", "sale.order", "stock.picking")
# the rate of the currency table sale.report joins (1 where there is none)
RATE = SQL(
    "CASE COALESCE(account_currency_table.rate, 0) WHEN 0 THEN 1.0"
    " ELSE account_currency_table.rate END"
)
SATISFIED = 4  # Odoo's RATING_LIMIT_SATISFIED: 4 and 5 are "satisfied"
NO_FILTERS = {"levels": None, "channels": None}
FUNNEL = ("selection", "acquisition", "retention", "extension")
CLV_BUCKETS = 10
# the same customer, channel and level in two rows of first orders (f, w);
# COALESCE rather than IS NOT DISTINCT FROM: a hash join
COMBO = SQL(
    """
    f.partner_id = w.partner_id
    AND COALESCE(f.channel, '') = COALESCE(w.channel, '')
    AND COALESCE(f.level_id, 0) = COALESCE(w.level_id, 0)
    """
)


def _bounds(start, end):
    """The UTC datetimes of a period of dates (both included), for range
    conditions an index can use."""
    return datetime.combine(start, time.min), datetime.combine(
        end + timedelta(days=1), time.min
    )


class EcrmDashboard(models.AbstractModel):
    """The figures of the eCRM dashboard and the refresh of their daily
    snapshots. Every figure is defined in ``readme/DESCRIPTION.md``; the
    definitions are the contract ``get_kpis`` keeps (tests/test_kpis.py).

    Orders, revenue, tickets and first responses, deliveries (additive per
    day), new customers and the cohorts, and for one company without filters
    the active, retained and repeat customers are read from the snapshot
    tables, refreshed incrementally by the cron (``readme/DEVELOP.md``); with
    filters or several companies the customers of a period, and always their
    CLV, SLA compliance (it moves as deadlines pass), ratings, NPS and coupons
    are read live, each in one indexed query.
    ``_ecrm_kpis(..., snapshot=False)`` computes every figure from the
    sources: the tests compare both."""

    _name = "ecrm.dashboard"
    _description = "eCRM Dashboard"

    # ------------------------------------------------------------------
    # Public API (RPC: read-only, served by a read replica when configured)
    # ------------------------------------------------------------------

    @api.model
    @api.readonly
    def get_kpis(
        self, date_from, date_to, company_ids=None, level_ids=None, channels=None
    ):
        """The figures of the period; ``level_ids`` (levels at the order's
        confirmation or the ticket's opening) and ``channels`` (the orders'
        eCRM channels) restrict the orders, customers and tickets counted."""
        return self._ecrm_kpis(
            self._ecrm_period(date_from, date_to),
            self._ecrm_companies(company_ids),
            self._ecrm_filters(level_ids, channels),
        )

    @api.model
    @api.readonly
    def get_cohorts(
        self, date_from, date_to, company_ids=None, level_ids=None, channels=None
    ):
        """One row per month in which customers made their first order (from
        the month of ``date_from`` to that of ``date_to``): the share of the
        cohort with an order in each calendar month after the first."""
        return self._ecrm_cohorts(
            self._ecrm_period(date_from, date_to),
            self._ecrm_companies(company_ids),
            self._ecrm_filters(level_ids, channels),
        )

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
                SELECT a.rfm_segment, b.rfm_segment, count(*)
                  FROM (%(at_b)s) b
                  LEFT JOIN (%(at_a)s) a ON a.partner_id = b.partner_id
                   AND a.company_id = b.company_id
                 GROUP BY 1, 2
                 ORDER BY 3 DESC, 1, 2
                """,
                at_a=self._ecrm_segments_at(date_a, companies),
                at_b=self._ecrm_segments_at(date_b, companies),
            )
        )
        return [
            {"from": seg_a or False, "to": seg_b or False, "customers": n}
            for seg_a, seg_b, n in self.env.cr.fetchall()
        ]

    @api.model
    def _ecrm_segments_at(self, day, companies):
        """Each customer's RFM segment on ``day`` (the last change before)."""
        return SQL(
            """
            SELECT DISTINCT ON (h.partner_id, h.company_id)
                   h.partner_id, h.company_id, h.rfm_segment
              FROM ecrm_metrics_segment_history h
             WHERE h.date <= %(day)s AND h.company_id = ANY(%(companies)s)
             ORDER BY h.partner_id, h.company_id, h.date DESC
            """,
            day=day,
            companies=companies.ids,
        )

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
    def _ecrm_filters(self, level_ids=None, channels=None):
        """The level and channel filters, checked: ``{"levels": ids or None,
        "channels": codes or None}`` (None: no filter)."""
        levels = None
        if level_ids:
            if not all(isinstance(i, int) for i in level_ids):
                raise UserError(self.env._("Levels are given by their ids."))
            found = self.env["ecrm.level"].search([("id", "in", list(level_ids))])
            if len(found) != len(set(level_ids)):
                raise UserError(self.env._("Unknown eCRM level."))
            levels = sorted(set(level_ids))
        if channels:
            known = dict(self.env["sale.order"]._fields["ecrm_channel"].selection)
            if not all(isinstance(c, str) and c in known for c in channels):
                raise UserError(self.env._("Unknown eCRM channel."))
            channels = sorted(set(channels))
        return {"levels": levels, "channels": channels or None}

    @api.model
    def _ecrm_filter_sql(self, filters, level, channel=None):
        """The conditions of the filters on a level (and channel) column."""
        conditions = []
        if filters["levels"]:
            conditions.append(SQL("%s = ANY(%s)", level, filters["levels"]))
        if channel is not None and filters["channels"]:
            conditions.append(SQL("%s = ANY(%s)", channel, filters["channels"]))
        return SQL(" AND ").join(conditions) if conditions else SQL("TRUE")

    @api.model
    def _ecrm_currency_table(self, companies):
        """Rates to the current company's currency, as sale.report converts."""
        return self.env["res.currency"]._get_simple_currency_table(companies)

    # ------------------------------------------------------------------
    # Figures
    # ------------------------------------------------------------------

    @api.model
    def _ecrm_refreshed(self, companies):
        """Whether every company's snapshots have been written: until its first
        refresh (a new company, after an upgrade or a rebuild asked for) they
        may be empty or partial, the figures are read live."""
        return all(companies.sudo().mapped("ecrm_metrics_refreshed_at"))

    @api.model
    def _ecrm_kpis(self, period, companies, filters, snapshot=True):
        snapshot = snapshot and self._ecrm_refreshed(companies)
        kpis = self._ecrm_customer_kpis(period, companies, filters, snapshot)
        kpis.update(self._ecrm_service_kpis(period, companies, filters, snapshot))
        kpis.update(self._ecrm_delivery_kpis(period, companies, snapshot))
        kpis.update(self._ecrm_coupon_kpis(period, companies, filters))
        return kpis

    @api.model
    def _ecrm_order_sql(self, companies, filters, period=None, amounts=True):
        """Confirmed orders of the companies (of the period when given, through
        the filters) with their commercial customer, UTC day and untaxed amount
        converted as sale.report does (``amounts``)."""
        conditions = [
            SQL("so.state = 'sale' AND so.company_id = ANY(%s)", companies.ids),
            self._ecrm_filter_sql(
                filters,
                SQL.identifier("so", "ecrm_level_id"),
                SQL.identifier("so", "ecrm_channel"),
            ),
        ]
        if period:
            conditions.append(
                SQL("so.date_order >= %s AND so.date_order < %s", *_bounds(*period))
            )
        return SQL(
            """
            SELECT so.id, so.ecrm_commercial_partner_id AS customer,
                   so.date_order::date AS day, so.company_id, %(amount)s AS amount
              FROM sale_order so %(currency_join)s
             WHERE %(conditions)s
            """,
            amount=SQL(
                """so.amount_untaxed
                       / CASE COALESCE(so.currency_rate, 0) WHEN 0 THEN 1.0
                              ELSE so.currency_rate END * %s""",
                RATE,
            )
            if amounts
            else SQL("NULL::numeric"),
            currency_join=SQL(
                "JOIN %s ON account_currency_table.company_id = so.company_id",
                self._ecrm_currency_table(companies),
            )
            if amounts
            else SQL(),
            conditions=SQL(" AND ").join(conditions),
        )

    @api.model
    def _ecrm_firsts_sql(self, period, companies, filters, snapshot=True):
        """The customers whose first order (in these companies, through the
        filters) is in the period, with its day."""
        start, end = period
        if not snapshot:
            return SQL(
                """
                SELECT customer, min(day) AS first_day FROM (%(orders)s) o
                 GROUP BY customer HAVING min(day) BETWEEN %(start)s AND %(end)s
                """,
                orders=self._ecrm_order_sql(companies, filters, amounts=False),
                start=start,
                end=end,
            )
        return SQL(
            """
            SELECT f.partner_id AS customer, min(f.first_date) AS first_day
              FROM ecrm_metrics_customer_first f
             WHERE f.company_id = ANY(%(companies)s)
               AND f.first_date BETWEEN %(start)s AND %(end)s AND %(filters_f)s
               AND NOT EXISTS (
                   SELECT 1 FROM ecrm_metrics_customer_first g
                    WHERE g.partner_id = f.partner_id
                      AND g.company_id = ANY(%(companies)s)
                      AND g.first_date < %(start)s AND %(filters_g)s)
             GROUP BY f.partner_id
            """,
            companies=companies.ids,
            start=start,
            end=end,
            filters_f=self._ecrm_filter_sql(
                filters, SQL.identifier("f", "level_id"), SQL.identifier("f", "channel")
            ),
            filters_g=self._ecrm_filter_sql(
                filters, SQL.identifier("g", "level_id"), SQL.identifier("g", "channel")
            ),
        )

    @api.model
    def _ecrm_returns_exact(self, companies, filters, snapshot):
        """Whether the return and cohort snapshots give the customers' figures:
        they are per company and without filters (a customer's previous order
        through a filter, or in several companies, is another one)."""
        return snapshot and len(companies) == 1 and filters == NO_FILTERS

    @api.model
    def _ecrm_customer_kpis(self, period, companies, filters, snapshot=True):
        """Orders, revenue, the customers of the period and of the one before,
        new customers, the CLV of the active ones."""
        start, end = period
        prev_start = start - timedelta(days=(end - start).days + 1)
        cr = self.env.cr
        if self._ecrm_returns_exact(companies, filters, snapshot):
            active, repeat, prev, retained, new = self._ecrm_returns(
                period, prev_start, companies
            )
        else:
            active, repeat, prev, retained = self._ecrm_live_customers(
                period, prev_start, companies, filters
            )
            cr.execute(
                SQL(
                    "SELECT count(*) FROM (%s) f",
                    self._ecrm_firsts_sql(period, companies, filters, snapshot),
                )
            )
            new = cr.fetchone()[0]
        cr.execute(
            SQL(
                """
                SELECT avg(pr.clv * %(rate)s)
                  FROM ecrm_profile pr
                  JOIN %(currency_table)s
                    ON account_currency_table.company_id = pr.company_id
                 WHERE pr.company_id = ANY(%(companies)s) AND %(active)s
                """,
                currency_table=self._ecrm_currency_table(companies),
                rate=RATE,
                companies=companies.ids,
                active=self._ecrm_active_profile_sql(
                    period, companies, filters, snapshot and filters == NO_FILTERS
                ),
            )
        )
        clv = cr.fetchone()[0]
        if snapshot:
            orders, revenue = self._ecrm_snapshot_orders(period, companies, filters)
        else:
            self.env.cr.execute(
                SQL(
                    "SELECT count(*), sum(amount) FROM (%s) o",
                    self._ecrm_order_sql(companies, filters, period),
                )
            )
            orders, revenue = self.env.cr.fetchone()
        retention = retained / prev if prev else None
        return {
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
            self.env.cr.execute(
                SQL(
                    "SELECT max(date) FROM ecrm_metrics_order_day"
                    " WHERE company_id = ANY(%s)",
                    companies.ids,
                )
            )
            last = self.env.cr.fetchone()[0]
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
        after, before = _bounds(start, end)
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

    @api.model
    def _ecrm_live_customers(self, period, prev_start, companies, filters):
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
                    companies, filters, (prev_start, end), amounts=False
                ),
                start=start,
            )
        )
        return self.env.cr.fetchone()

    @api.model
    def _ecrm_returns(self, period, prev_start, company):
        """(active, repeat, previously active, retained, new) customers of one
        company, from the return and cohort snapshots. Each order is counted
        under the day of its customer's previous order and of the one before,
        so for a period [a, b]: the orders of [a, b] following one of [a, b] are all
        the orders but each customer's first one there (active = orders -
        those); the orders following two of [a, b] are all but the first two
        (repeat = the first - those); retained customers are those whose first
        order in [a, b] follows one of the period before."""
        start, end = period
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
                  FROM ecrm_metrics_return_day
                 WHERE company_id = %(company)s AND previous_date >= %(prev_start)s
                   AND date <= %(end)s
                """,
                company=company.id,
                start=start,
                end=end,
                prev_start=prev_start,
            )
        )
        again, third, again_before, retained = self.env.cr.fetchone()
        # a cohort's first orders of its own month are its customers' first ones
        self.env.cr.execute(
            SQL(
                """
                SELECT COALESCE(sum(customers), 0) FROM ecrm_metrics_cohort_day
                 WHERE company_id = %s AND date BETWEEN %s AND %s
                   AND cohort = date_trunc('month', date)
                """,
                company.id,
                start,
                end,
            )
        )
        new = self.env.cr.fetchone()[0]
        orders = self._ecrm_snapshot_orders(period, company, NO_FILTERS)[0]
        orders_before = self._ecrm_snapshot_orders(
            (prev_start, start - timedelta(days=1)), company, NO_FILTERS
        )[0]
        active = orders - again
        return active, again - third, orders_before - again_before, retained, new

    @api.model
    def _ecrm_snapshot_orders(self, period, companies, filters):
        self.env.cr.execute(
            SQL(
                """
                SELECT COALESCE(sum(d.orders), 0), sum(d.revenue * %(rate)s)
                  FROM ecrm_metrics_order_day d
                  JOIN %(currency_table)s
                    ON account_currency_table.company_id = d.company_id
                 WHERE d.company_id = ANY(%(companies)s)
                   AND d.date BETWEEN %(start)s AND %(end)s AND %(filters)s
                """,
                currency_table=self._ecrm_currency_table(companies),
                rate=RATE,
                companies=companies.ids,
                start=period[0],
                end=period[1],
                filters=self._ecrm_filter_sql(
                    filters,
                    SQL.identifier("d", "level_id"),
                    SQL.identifier("d", "channel"),
                ),
            )
        )
        return self.env.cr.fetchone()

    @api.model
    def _ecrm_service_kpis(self, period, companies, filters, snapshot=True):
        start, end = period
        cr = self.env.cr
        level = self._ecrm_filter_sql(filters, SQL.identifier("t", "ecrm_level_id"))
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
                 WHERE t.company_id = ANY(%(companies)s) AND %(level)s
                   AND t.create_date >= %(after)s AND t.create_date < %(before)s
                """,
                companies=companies.ids,
                level=level,
                after=_bounds(start, end)[0],
                before=_bounds(start, end)[1],
            )
        )
        tickets, first_response, sla_due, sla_met = cr.fetchone()
        if snapshot:
            cr.execute(
                SQL(
                    """
                    SELECT COALESCE(sum(tickets), 0),
                           sum(first_response_hours)
                               / NULLIF(sum(first_responses), 0)
                      FROM ecrm_metrics_ticket_day t
                     WHERE company_id = ANY(%(companies)s) AND %(level)s
                       AND date BETWEEN %(start)s AND %(end)s
                    """,
                    companies=companies.ids,
                    level=self._ecrm_filter_sql(
                        filters, SQL.identifier("t", "level_id")
                    ),
                    start=start,
                    end=end,
                )
            )
            tickets, first_response = cr.fetchone()
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
        cr.execute(
            SQL(
                """
                SELECT count(*), count(*) FILTER (WHERE score >= 9),
                       count(*) FILTER (WHERE score <= 6)
                  FROM ecrm_nps_answer
                 WHERE company_id = ANY(%(companies)s)
                   AND date >= %(after)s AND date < %(before)s
                """,
                companies=companies.ids,
                after=_bounds(start, end)[0],
                before=_bounds(start, end)[1],
            )
        )
        answers, promoters, detractors = cr.fetchone()
        return {
            "tickets": tickets,
            "avg_first_response_hours": (
                float(first_response) if first_response is not None else None
            ),
            "sla_met_rate": sla_met / sla_due if sla_due else None,
            "csat": satisfied / rated if rated else None,
            "nps": (
                round(100.0 * (promoters - detractors) / answers, 2)
                if answers
                else None
            ),
        }

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
    def _ecrm_delivery_kpis(self, period, companies, snapshot=True):
        if snapshot:
            query = SQL(
                """
                SELECT sum(deliveries), sum(on_time) FROM ecrm_metrics_delivery_day
                 WHERE company_id = ANY(%(companies)s)
                   AND date BETWEEN %(start)s AND %(end)s
                """,
                companies=companies.ids,
                start=period[0],
                end=period[1],
            )
        else:
            query = SQL(
                """
                SELECT count(*), count(*) FILTER (WHERE on_time)
                  FROM (%(deliveries)s) d
                 WHERE day BETWEEN %(start)s AND %(end)s
                """,
                deliveries=self._ecrm_delivery_sql(companies),
                start=period[0],
                end=period[1],
            )
        self.env.cr.execute(query)
        validated, on_time = self.env.cr.fetchone()
        return {"on_time_delivery_rate": on_time / validated if validated else None}

    @api.model
    def _ecrm_coupon_kpis(self, period, companies, filters):
        """Coupons issued by ecrm_loyalty's rules (its contract: one
        ``ecrm.coupon.issue`` per customer drawn, a coupon unless in the
        control group; ``rules._ecrm_results``). The filters restrict the
        orders of the coupon revenue."""
        start, end = period
        after, before = _bounds(start, end)
        self.env.cr.execute(
            SQL(
                """
                SELECT (SELECT count(*) FROM ecrm_coupon_issue i
                         WHERE i.company_id = ANY(%(companies)s)
                           AND i.card_id IS NOT NULL
                           AND i.create_date >= %(after)s
                           AND i.create_date < %(before)s),
                       (SELECT count(*) FROM ecrm_coupon_issue i
                         WHERE i.company_id = ANY(%(companies)s)
                           AND i.redeemed_date >= %(after)s
                           AND i.redeemed_date < %(before)s),
                       (SELECT sum(o.amount) FROM (%(orders)s) o
                         WHERE o.id IN (SELECT order_id FROM ecrm_coupon_issue
                                         WHERE order_id IS NOT NULL))
                """,
                orders=self._ecrm_order_sql(companies, filters, period),
                companies=companies.ids,
                after=after,
                before=before,
            )
        )
        issued, redeemed, revenue = self.env.cr.fetchone()
        campaigns = self._ecrm_campaigns(period, companies)
        return {
            "coupons_issued": issued,
            "coupons_redeemed": redeemed,
            "coupon_revenue": float(revenue or 0.0),
            "incremental_revenue": float(
                sum(c["incremental_revenue"] for c in campaigns)
            ),
        }

    @api.model
    def _ecrm_campaigns(self, period, companies):
        """ecrm_loyalty's results per coupon rule for the issues of the period,
        with the discount the redeemed coupons gave and the return on it."""
        rules = (
            self.env["ecrm.coupon.rule"]
            .sudo()
            .with_context(active_test=False)
            .search([("company_id", "in", companies.ids)], order="sequence, id")
        )
        if not rules:
            return []
        results = rules._ecrm_results(date_from=period[0], date_to=period[1])
        after, before = _bounds(*period)
        self.env.cr.execute(
            SQL(
                """
                SELECT i.rule_id,
                       -sum(sol.price_subtotal
                            / COALESCE(NULLIF(so.currency_rate, 0), 1))
                  FROM ecrm_coupon_issue i
                  JOIN sale_order so ON so.id = i.order_id AND so.state = 'sale'
                  JOIN sale_order_line sol ON sol.order_id = so.id
                   AND sol.reward_id IS NOT NULL
                 WHERE i.rule_id = ANY(%(rules)s)
                   AND i.create_date >= %(after)s AND i.create_date < %(before)s
                 GROUP BY i.rule_id
                """,
                rules=rules.ids,
                after=after,
                before=before,
            )
        )
        discounts = dict(self.env.cr.fetchall())
        campaigns = []
        for rule in rules:
            result = results[rule.id]
            if not result["audience"]:
                continue
            discount = float(discounts.get(rule.id) or 0.0)
            campaigns.append(
                {
                    "rule_id": rule.id,
                    "name": rule.name,
                    "issued": result["issued"],
                    "redeemed": result["redeemed"],
                    "redemption_rate": result["redemption_rate"],
                    "revenue": result["revenue"],
                    "incremental_revenue": result["incremental_revenue"],
                    "discount": discount,
                    "roi": (
                        (result["incremental_revenue"] - discount) / discount
                        if discount
                        else None
                    ),
                }
            )
        return campaigns

    @api.model
    def _ecrm_cohorts(self, period, companies, filters, snapshot=True):
        date_from, date_to = period
        start = date_from.replace(day=1)
        snapshot = snapshot and self._ecrm_refreshed(companies)
        if self._ecrm_returns_exact(companies, filters, snapshot):
            query = SQL(
                """
                SELECT cohort, date_trunc('month', date) AS month, sum(customers)
                  FROM ecrm_metrics_cohort_day
                 WHERE company_id = %(company)s AND cohort >= %(start)s
                   AND date <= %(end)s
                 GROUP BY 1, 2
                """,
                company=companies.id,
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
            # the first company no other transaction is refreshing; none left
            # when they all are
            done = next((c for c in todo if self._ecrm_refresh_company(c, full)), None)
            self.env["ir.cron"]._notify_progress(
                done=int(bool(done)), remaining=len(todo) - 1 if done else 0
            )
            return
        for company in companies:
            self._ecrm_refresh_company(company, full)

    @api.model
    def _ecrm_refresh_company(self, company, full=False):
        """Refresh the snapshots of ``company``; False (nothing done) when
        another transaction is refreshing it: waiting for it would leave this
        one on a snapshot older than that refresh."""
        self.env.flush_all()
        watermark = self._ecrm_watermark()
        cr = self.env.cr
        cr.execute(
            SQL("SELECT pg_try_advisory_xact_lock(%s, %s)", 0x65636D78, company.id)
        )
        if not cr.fetchone()[0]:
            _logger.info(
                "eCRM metrics of company %s not refreshed: another refresh is running",
                company.id,
            )
            return False
        cr.execute(SQL("SELECT now() at time zone 'UTC'"))
        now = cr.fetchone()[0]
        since = None
        if not full and company.sudo().ecrm_metrics_refreshed_at:
            since = company.sudo().ecrm_metrics_changes_since or None
        changed = self._ecrm_changed(company, since)
        sources = {
            "ecrm_metrics_order_day": SQL(
                """
                INSERT INTO ecrm_metrics_order_day
                       (date, company_id, channel, level_id, orders, revenue)
                SELECT so.date_order::date, so.company_id, so.ecrm_channel,
                       so.ecrm_level_id, count(*),
                       sum(so.amount_untaxed
                           / CASE COALESCE(so.currency_rate, 0) WHEN 0 THEN 1.0
                                  ELSE so.currency_rate END)
                  FROM sale_order so
                 WHERE so.state = 'sale' AND so.company_id = %(company)s
                   AND %(days)s
                 GROUP BY 1, 2, 3, 4
                """,
                company=company.id,
                days=self._ecrm_changed_filter(
                    SQL("so.date_order::date"),
                    changed["ecrm_metrics_order_day"],
                    SQL.identifier("so", "date_order"),
                ),
            ),
            "ecrm_metrics_ticket_day": SQL(
                """
                INSERT INTO ecrm_metrics_ticket_day
                       (date, company_id, level_id, tickets, first_responses,
                        first_response_hours)
                SELECT t.create_date::date, t.company_id, t.ecrm_level_id, count(*),
                       count(t.ecrm_first_response_date),
                       COALESCE(sum(extract(epoch FROM t.ecrm_first_response_date
                                             - t.create_date) / 3600.0), 0)
                  FROM helpdesk_ticket t
                 WHERE t.company_id = %(company)s AND %(days)s
                 GROUP BY 1, 2, 3
                """,
                company=company.id,
                days=self._ecrm_changed_filter(
                    SQL("t.create_date::date"),
                    changed["ecrm_metrics_ticket_day"],
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
                deliveries=self._ecrm_delivery_sql(company),
                days=self._ecrm_changed_filter(
                    SQL.identifier("day"),
                    changed["ecrm_metrics_delivery_day"],
                ),
            ),
        }
        for table, insert in sources.items():
            cr.execute(
                SQL(
                    "DELETE FROM %s WHERE company_id = %s AND %s",
                    SQL.identifier(table),
                    company.id,
                    self._ecrm_changed_filter(SQL.identifier("date"), changed[table]),
                )
            )
            cr.execute(insert)
        self._ecrm_refresh_returns(company, changed["orders"])
        self._ecrm_refresh_profiles(company, now.date(), since)
        company.sudo().write(
            {"ecrm_metrics_refreshed_at": now, "ecrm_metrics_changes_since": watermark}
        )
        company.flush_recordset()
        # the deleted orders every company has read (a company not refreshed
        # yet is rebuilt)
        cr.execute(
            SQL(
                "DELETE FROM %s WHERE unlinked_at"
                " < (SELECT min(ecrm_metrics_changes_since) FROM res_company)",
                SQL.identifier(UNLINKED_TABLE),
            )
        )
        self.env.invalidate_all()
        return True

    @api.model
    def _ecrm_watermark(self):
        """The start of the oldest transaction open in this database (now at
        the latest), in UTC as Odoo's ``write_date``: a transaction still open
        commits its rows after the refresh with that ``write_date``, the next
        refresh must read them (reading a customer or day again is harmless)."""
        self.env.cr.execute(
            SQL(
                """
                SELECT LEAST(now(), min(xact_start)) AT TIME ZONE 'UTC'
                  FROM pg_stat_activity
                 WHERE datname = current_database() AND pid <> pg_backend_pid()
                   AND backend_type = 'client backend' AND xact_start IS NOT NULL
                """
            )
        )
        return self.env.cr.fetchone()[0]

    @api.model
    def _ecrm_refresh_returns(self, company, changed):
        """Rewrite the rows (``ORDER_TABLE``) of the orders changed since the
        last refresh (``changed``: ``{"orders": ids, "customers": (partner
        ids, the first day each one's changed orders were or are on)}``;
        everything when None) and what they count in the return and cohort
        snapshots: what the customers' orders from that day on counted is
        subtracted before, added after; then the customers' first orders per
        channel and level (``ecrm.metrics.customer.first``) and their last
        order day on their profiles."""
        cr = self.env.cr
        table = SQL.identifier(ORDER_TABLE)
        if changed is None:
            # a rebuild: millions of rows, only those that differ written (in
            # order: a customer's rows together; the statistics taken before
            # and after, the plans depend on them), then read in order (a sort
            # in memory) rather than consumed from the statement's own result;
            # the memory for these statements only, not the rest of the
            # transaction (other companies, the profiles)
            cr.execute("SELECT current_setting('work_mem')")
            work_mem = cr.fetchone()[0]
            cr.execute(
                SQL(
                    """
                    SET LOCAL work_mem = '512MB';
                    ANALYZE %(table)s;
                    DELETE FROM %(table)s t WHERE company_id = %(company)s
                       AND NOT EXISTS (
                           SELECT 1 FROM (%(orders)s) so
                            WHERE so.id = t.order_id AND so.date_order = t.date
                              AND COALESCE(so.ecrm_commercial_partner_id, 0)
                                  = COALESCE(t.partner_id, 0)
                              AND COALESCE(so.ecrm_channel, '')
                                  = COALESCE(t.channel, '')
                              AND COALESCE(so.ecrm_level_id, 0)
                                  = COALESCE(t.level_id, 0));
                    INSERT INTO %(table)s
                           (company_id, partner_id, order_id, date, channel, level_id)
                    SELECT * FROM (%(orders)s) so
                     WHERE NOT EXISTS (SELECT 1 FROM %(table)s t
                                        WHERE t.order_id = so.id)
                     ORDER BY 2, 4;
                    ANALYZE %(table)s;
                    DELETE FROM ecrm_metrics_return_day
                     WHERE company_id = %(company)s;
                    DELETE FROM ecrm_metrics_cohort_day WHERE company_id = %(company)s
                    """,
                    table=table,
                    company=company.id,
                    orders=self._ecrm_orders_sql(company),
                )
            )
            self._ecrm_add_returns(
                company,
                SQL(
                    "SELECT partner_id, date, TRUE AS counted, NULL::date AS first_date"
                    " FROM %s WHERE company_id = %s",
                    table,
                    company.id,
                ),
                1,
            )
            self._ecrm_refresh_customers(company, None)
            cr.execute(SQL("SELECT set_config('work_mem', %s, true)", work_mem))
            return
        partners, since = changed["customers"]
        if partners:
            self._ecrm_rewrite_orders(company, changed["orders"], partners, since)
        self._ecrm_refresh_customers(company, changed["customers"])

    @api.model
    def _ecrm_orders_sql(self, company):
        """The rows of ``ORDER_TABLE`` of the company's confirmed orders."""
        return SQL(
            """
            SELECT company_id, ecrm_commercial_partner_id, id, date_order::date,
                   ecrm_channel, ecrm_level_id
              FROM sale_order
             WHERE state = 'sale' AND company_id = %s
            """,
            company.id,
        )

    @api.model
    def _ecrm_rewrite_orders(self, company, order_ids, partners, since):
        """Rewrite the rows of the orders ``order_ids`` and what the orders of
        their customers ``partners`` from the day ``since`` each count in
        the return and cohort snapshots."""
        cr = self.env.cr
        table = SQL.identifier(ORDER_TABLE)
        # the orders of the changed customers from the first day changed, the
        # two before (their previous orders) and each one's first day
        counted = SQL(
            """
            SELECT c.partner_id, r.date, r.counted, f.first_date
              FROM unnest(%(partners)s::int[], %(since)s::date[]) c (partner_id, since)
             CROSS JOIN LATERAL (
                   SELECT min(date) AS first_date FROM %(table)s
                    WHERE company_id = %(company)s AND partner_id = c.partner_id) f
             CROSS JOIN LATERAL (
                   SELECT date, TRUE AS counted FROM %(table)s
                    WHERE company_id = %(company)s AND partner_id = c.partner_id
                      AND date >= c.since
                   UNION ALL
                   (SELECT date, FALSE FROM %(table)s
                     WHERE company_id = %(company)s AND partner_id = c.partner_id
                       AND date < c.since
                     ORDER BY date DESC LIMIT 2)) r
            """,
            partners=partners,
            since=since,
            table=table,
            company=company.id,
        )
        self._ecrm_add_returns(company, counted, -1)
        cr.execute(
            SQL(
                """
                DELETE FROM %(table)s WHERE company_id = %(company)s
                   AND order_id IN (SELECT unnest(%(orders)s::int[]));
                INSERT INTO %(table)s
                       (company_id, partner_id, order_id, date, channel, level_id)
                SELECT * FROM (%(rows)s) so
                 WHERE id IN (SELECT unnest(%(orders)s::int[]))
                """,
                table=table,
                company=company.id,
                orders=order_ids,
                rows=self._ecrm_orders_sql(company),
            )
        )
        self._ecrm_add_returns(company, counted, 1)
        cr.execute(
            SQL(
                """
                DELETE FROM ecrm_metrics_return_day WHERE company_id = %(company)s
                   AND orders = 0 AND second_orders = 0;
                DELETE FROM ecrm_metrics_cohort_day WHERE company_id = %(company)s
                   AND customers = 0
                """,
                company=company.id,
            )
        )

    @api.model
    def _ecrm_refresh_customers(self, company, customers):
        """Write the first orders per channel and level
        (``ecrm.metrics.customer.first``) and the last order day on the
        profiles (``ecrm_metrics_last_date``) of the ``customers`` (partner
        ids, the first day of each one's changed orders; everyone when None)
        from their rows of ``ORDER_TABLE``; also the last day of the profiles
        created since (without one). Only the rows that differ are written: a
        rebuild of unchanged data writes nothing (inserting a million rows
        checks their foreign keys one by one)."""
        table = SQL.identifier(ORDER_TABLE)
        if customers is None:
            firsts = SQL(
                """
                SELECT partner_id, channel, level_id, min(date) AS first_date
                  FROM %s WHERE company_id = %s
                 GROUP BY partner_id, channel, level_id
                """,
                table,
                company.id,
            )
            stored = SQL(
                "SELECT f.*, '-infinity'::date AS since"
                " FROM ecrm_metrics_customer_first f WHERE f.company_id = %s",
                company.id,
            )
            kept = dated = SQL("TRUE")
            # its rows may all be new since the statistics (a first build):
            # the plans of the joins below depend on them
            self.env.cr.execute(SQL("ANALYZE ecrm_metrics_customer_first"))
        else:
            partners, since = customers
            changed = SQL(
                "unnest(%s::int[], %s::date[]) c (partner_id, since)", partners, since
            )
            # the first of the orders from each customer's first changed day
            firsts = SQL(
                """
                SELECT o.partner_id, o.channel, o.level_id, min(o.date) AS first_date
                  FROM %(changed)s
                  JOIN %(table)s o ON o.company_id = %(company)s
                   AND o.partner_id = c.partner_id AND o.date >= c.since
                 GROUP BY o.partner_id, o.channel, o.level_id
                """,
                changed=changed,
                table=table,
                company=company.id,
            )
            stored = SQL(
                """
                SELECT f.*, c.since FROM ecrm_metrics_customer_first f
                  JOIN %s ON c.partner_id = f.partner_id
                 WHERE f.company_id = %s
                """,
                changed,
                company.id,
            )
            dated = self._ecrm_changed_filter(
                SQL.identifier("p", "partner_id"), partners
            )
            kept = SQL(
                "NOT EXISTS (SELECT 1 FROM stored f"
                " WHERE %s AND f.first_date < f.since)",
                COMBO,
            )
        cr = self.env.cr
        # a first order before the customer's first changed day stays, the
        # others are the first of the orders from that day (everything on a
        # rebuild)
        cr.execute(
            SQL(
                """
                WITH stored AS (%(stored)s), wanted AS (
                    SELECT * FROM (%(firsts)s) w WHERE %(kept)s
                ), stale AS (
                    DELETE FROM ecrm_metrics_customer_first
                     WHERE id IN (
                           SELECT f.id FROM stored f
                            WHERE f.first_date >= f.since
                              AND NOT EXISTS (
                                  SELECT 1 FROM wanted w
                                   WHERE %(combo)s AND f.first_date = w.first_date))
                )
                INSERT INTO ecrm_metrics_customer_first
                       (partner_id, company_id, channel, level_id, first_date)
                SELECT w.partner_id, %(company)s, w.channel, w.level_id, w.first_date
                  FROM wanted w
                 WHERE NOT EXISTS (SELECT 1 FROM stored f
                                    WHERE %(combo)s AND f.first_date = w.first_date)
                """,
                stored=stored,
                firsts=firsts,
                kept=kept,
                company=company.id,
                combo=COMBO,
            )
        )
        # the last day: one probe of each customer's days
        for profiles in (dated, SQL("p.ecrm_metrics_last_date IS NULL")):
            cr.execute(
                SQL(
                    """
                    UPDATE ecrm_profile pr SET ecrm_metrics_last_date = l.last_date
                      FROM (SELECT p.id, (SELECT max(o.date) FROM %(table)s o
                                           WHERE o.company_id = %(company)s
                                             AND o.partner_id = p.partner_id)
                                         AS last_date
                              FROM ecrm_profile p
                             WHERE p.company_id = %(company)s AND %(profiles)s) l
                     WHERE pr.id = l.id
                       AND pr.ecrm_metrics_last_date IS DISTINCT FROM l.last_date
                    """,
                    table=table,
                    company=company.id,
                    profiles=profiles,
                )
            )

    @api.model
    def _ecrm_add_returns(self, company, rows, sign):
        """Add (``sign`` 1) or subtract (-1) what customers' orders count in
        the return snapshot (each order under the day of the customer's
        previous order and of the one before) and in the cohort snapshot (the
        first order of each month, under the month of the customer's first
        order). ``rows``: a statement returning rows (partner_id, date,
        counted, first_date) of ``ORDER_TABLE``: the orders ``counted`` of each
        customer and at least the two before them (not counted),
        ``first_date`` the customer's first day (NULL: the first row). The
        days of a customer's previous orders do not depend on how orders of
        one day are ranked."""
        self.env.cr.execute(
            SQL(
                """
                WITH o AS (
                    SELECT date, counted, lag(date) OVER w AS previous_date,
                           lag(date, 2) OVER w AS second_date,
                           COALESCE(first_date, first_value(date) OVER w) AS first_date
                      FROM (%(rows)s) r
                    WINDOW w AS (PARTITION BY partner_id ORDER BY date)
                ), returns AS (
                    INSERT INTO ecrm_metrics_return_day AS r
                           (company_id, date, previous_date, orders, second_orders)
                    SELECT %(company)s, date, previous_date, %(sign)s * sum(n),
                           %(sign)s * sum(n2)
                      FROM (SELECT date, previous_date, 1 AS n, 0 AS n2 FROM o
                             WHERE counted AND previous_date IS NOT NULL
                            UNION ALL
                            SELECT date, second_date, 0, 1 FROM o
                             WHERE counted AND second_date IS NOT NULL) o
                     GROUP BY date, previous_date
                    ON CONFLICT (company_id, date, previous_date) DO UPDATE
                       SET orders = r.orders + EXCLUDED.orders,
                           second_orders = r.second_orders + EXCLUDED.second_orders
                )
                INSERT INTO ecrm_metrics_cohort_day AS k
                       (company_id, cohort, date, customers)
                SELECT %(company)s, date_trunc('month', first_date)::date, date,
                       %(sign)s * count(*)
                  FROM o
                 WHERE counted AND (previous_date IS NULL
                                    OR previous_date < date_trunc('month', date))
                 GROUP BY 2, 3
                ON CONFLICT (company_id, cohort, date) DO UPDATE
                   SET customers = k.customers + EXCLUDED.customers
                """,
                rows=rows,
                company=company.id,
                sign=sign,
            )
        )

    @api.model
    def _ecrm_changed(self, company, since):
        """Per snapshot, the days (or orders and customers) whose source rows
        were written since the last refresh (None on a full rebuild): each
        source read once, through its ``write_date`` index."""
        if since is None:
            return dict.fromkeys(
                (
                    "ecrm_metrics_order_day",
                    "ecrm_metrics_ticket_day",
                    "ecrm_metrics_delivery_day",
                    "orders",
                )
            )
        cr = self.env.cr
        # the orders written or deleted since, in any company: their rows as
        # of the last refresh (they may have left the company or the
        # customer, or be gone) and as of now; those that differ are
        # rewritten, the days of all of them (their amounts) recounted
        cr.execute(
            SQL(
                """
                WITH written AS (
                    SELECT id FROM sale_order WHERE write_date >= %(since)s
                ), old AS (
                    SELECT order_id, partner_id, date, channel, level_id
                      FROM %(table)s
                     WHERE company_id = %(company)s
                       AND order_id IN (SELECT id FROM written
                                        UNION ALL
                                        SELECT order_id FROM %(unlinked)s
                                         WHERE unlinked_at >= %(since)s)
                ), new AS (
                    SELECT id, ecrm_commercial_partner_id, date_order::date AS date,
                           ecrm_channel, ecrm_level_id
                      FROM sale_order
                     WHERE write_date >= %(since)s AND company_id = %(company)s
                       AND state = 'sale'
                ), rows AS (
                    (SELECT * FROM old EXCEPT SELECT * FROM new)
                    UNION ALL
                    (SELECT * FROM new EXCEPT SELECT * FROM old)
                ), customers AS (
                    SELECT partner_id, min(date) AS since FROM rows
                     WHERE partner_id IS NOT NULL GROUP BY partner_id
                )
                SELECT (SELECT COALESCE(array_agg(DISTINCT order_id), '{}') FROM rows),
                       (SELECT COALESCE(array_agg(DISTINCT date), '{}')
                          FROM (SELECT date FROM old UNION ALL SELECT date FROM new) d),
                       (SELECT COALESCE(array_agg(partner_id ORDER BY partner_id), '{}')
                          FROM customers),
                       (SELECT COALESCE(array_agg(since ORDER BY partner_id), '{}')
                          FROM customers)
                """,
                table=SQL.identifier(ORDER_TABLE),
                unlinked=SQL.identifier(UNLINKED_TABLE),
                company=company.id,
                since=since,
            )
        )
        orders, order_days, partners, first_days = cr.fetchone()
        cr.execute(
            SQL(
                """
                SELECT COALESCE(array_agg(DISTINCT create_date::date), '{}')
                  FROM helpdesk_ticket WHERE company_id = %(company)s
                   AND write_date >= %(since)s
                """,
                company=company.id,
                since=since,
            )
        )
        ticket_days = cr.fetchone()[0]
        cr.execute(
            SQL(
                """
                SELECT COALESCE(array_agg(DISTINCT date_done::date), '{}')
                  FROM stock_picking WHERE company_id = %(company)s
                   AND write_date >= %(since)s AND date_done IS NOT NULL
                """,
                company=company.id,
                since=since,
            )
        )
        return {
            "ecrm_metrics_order_day": order_days,
            "ecrm_metrics_ticket_day": ticket_days,
            "ecrm_metrics_delivery_day": cr.fetchone()[0],
            "orders": {"orders": orders, "customers": (partners, first_days)},
        }

    @api.model
    def _ecrm_changed_filter(self, column, changed, timestamp=None):
        """All rows on a full rebuild (``changed`` None), else those whose day
        (or customer) is among the changed ones; with the ``timestamp`` the
        day is taken from, also its range (for an index)."""
        if changed is None:
            return SQL("TRUE")
        if not changed:
            return SQL("FALSE")
        # a join on the list rather than "= ANY": one index probe per value
        condition = SQL("%s IN (SELECT unnest(%s))", column, changed)
        if timestamp is None:
            return condition
        return SQL(
            "%s AND %s >= %s AND %s < %s",
            condition,
            timestamp,
            min(changed),
            timestamp,
            max(changed) + timedelta(days=1),
        )

    @api.model
    def _ecrm_refresh_profiles(self, company, today, since=None):
        """Today's customers per level, stage and segment; the RFM segment
        history (a row when a customer's segment changed) of the profiles
        written ``since`` the last refresh (all when None)."""
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
                  LEFT JOIN %(last)s
                 WHERE p.company_id = %(company)s AND %(written)s
                   AND p.rfm_segment IS DISTINCT FROM last.rfm_segment
                ON CONFLICT (partner_id, company_id, date)
                   DO UPDATE SET rfm_segment = EXCLUDED.rfm_segment
                """,
                company=company.id,
                today=today,
                written=SQL("p.write_date >= %s", since) if since else SQL("TRUE"),
                # every customer's last segment: one hash join; a few: one
                # probe each
                last=SQL(
                    """
                    LATERAL (
                        SELECT h.rfm_segment FROM ecrm_metrics_segment_history h
                         WHERE h.partner_id = p.partner_id
                           AND h.company_id = p.company_id
                         ORDER BY h.date DESC LIMIT 1) last ON TRUE
                    """
                )
                if since
                else SQL(
                    """
                    (SELECT DISTINCT ON (h.partner_id) h.partner_id, h.rfm_segment
                       FROM ecrm_metrics_segment_history h
                      WHERE h.company_id = %s
                      ORDER BY h.partner_id, h.date DESC) last
                      ON last.partner_id = p.partner_id
                    """,
                    company.id,
                ),
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
                    (labels[key], *self._ecrm_digest_cells(key, now[key], before[key]))
                    for key in self.DIGEST_FIGURES
                ],
                ecrm_period=(start, end),
            ).send_mail(manager.id)

    @api.model
    def _ecrm_digest_cells(self, key, value, before):
        """A figure of the digest and its change, as text."""
        if value is None:
            return "–", ""
        if key.endswith("_rate") or key == "csat":
            text = f"{100 * value:.1f} %"
        elif key == "revenue":
            text = formatLang(
                self.env, value, currency_obj=self.env.company.currency_id
            )
        else:
            text = formatLang(self.env, value, digits=0)
        change = f"{100 * (value - before) / abs(before):+.0f} %" if before else ""
        return text, change

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
    def get_dashboard(
        self, date_from, date_to, company_ids=None, level_ids=None, channels=None
    ):
        """Everything the dashboard screen shows, in one call."""
        period = start, end = self._ecrm_period(date_from, date_to)
        companies = self._ecrm_companies(company_ids)
        filters = self._ecrm_filters(level_ids, channels)
        days = (end - start).days + 1
        before = (start - timedelta(days=days), start - timedelta(days=1))
        cr = self.env.cr
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
        cr.execute(query)
        revenue_by_day = [[str(day), float(amount)] for day, amount in cr.fetchall()]
        distribution, snapshot_date = self._ecrm_distribution(companies, filters)
        stages = {row[2]: row for row in distribution["lifecycle_stage"]}
        snapshot_fields = self.env["ecrm.metrics.profile.day"]._fields
        stage_labels = dict(
            snapshot_fields["lifecycle_stage"]._description_selection(self.env)
        )
        segments = dict(snapshot_fields["rfm_segment"]._description_selection(self.env))
        moves = self.get_rfm_moves(start, end, companies.ids)
        for move in moves:
            move["from_label"] = segments.get(move["from"]) or self.env._("None")
            move["to_label"] = segments.get(move["to"]) or self.env._("None")
        return {
            "currency_id": self.env.company.currency_id.id,
            "labels": self._ecrm_labels(),
            "kpis": self._ecrm_kpis(period, companies, filters),
            "previous": self._ecrm_kpis(before, companies, filters),
            "revenue_by_day": revenue_by_day,
            "cohorts": self._ecrm_cohorts(
                (start.replace(day=1) - timedelta(days=334), end), companies, filters
            ),
            "distribution": distribution,
            "funnel": [
                stages.get(code) or [stage_labels[code], 0, code] for code in FUNNEL
            ],
            "clv_histogram": self._ecrm_clv_histogram(companies, filters),
            "rfm_moves": moves,
            "campaigns": self._ecrm_campaigns(period, companies),
            "snapshot_date": snapshot_date and str(snapshot_date),
            "options": {
                "levels": [
                    [level.id, level.display_name]
                    for level in self.env["ecrm.level"].search(
                        [("company_id", "in", [False, *companies.ids])]
                    )
                ],
                "channels": self.env["sale.order"]._fields["ecrm_channel"].selection,
            },
        }

    @api.model
    def _ecrm_distribution(self, companies, filters):
        """Customers per (current) level, lifecycle stage and RFM segment on
        the last snapshot: ``{field: [[label, customers, value]]}``."""
        profiles = self.env["ecrm.metrics.profile.day"]
        last = profiles.search(
            [("company_id", "in", companies.ids)], order="date desc", limit=1
        ).date
        domain = [("company_id", "in", companies.ids), ("date", "=", last)]
        if filters["levels"]:
            domain.append(("level_id", "in", filters["levels"]))
        distribution = {}
        for field in ("level_id", "lifecycle_stage", "rfm_segment"):
            groups = profiles._read_group(domain, [field], ["customers:sum"])
            if field == "level_id":
                rows = [[v.display_name, n, v.id] for v, n in groups]
            else:
                names = dict(profiles._fields[field]._description_selection(self.env))
                rows = [[names.get(v, v), n, v] for v, n in groups]
            distribution[field] = sorted(rows, key=lambda r: -r[1])
        return distribution, last

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

    @api.model
    def action_drilldown(
        self,
        key,
        date_from,
        date_to,
        company_ids=None,
        level_ids=None,
        channels=None,
        value=None,
    ):
        """The records a figure (``key``) counts, as a window action; for a
        chart, ``value`` is its bar: a level id, a stage or segment code, a
        CLV bucket, a [from, to] segment move or a coupon rule id."""
        period = start, end = self._ecrm_period(date_from, date_to)
        companies = self._ecrm_companies(company_ids)
        filters = self._ecrm_filters(level_ids, channels)
        after, before = (fields.Datetime.to_string(b) for b in _bounds(start, end))
        orders = [
            ("state", "=", "sale"),
            ("company_id", "in", companies.ids),
            ("date_order", ">=", after),
            ("date_order", "<", before),
        ]
        if filters["levels"]:
            orders.append(("ecrm_level_id", "in", filters["levels"]))
        if filters["channels"]:
            orders.append(("ecrm_channel", "in", filters["channels"]))
        profiles = [("company_id", "in", companies.ids)]
        if filters["levels"]:
            profiles.append(("level_id", "in", filters["levels"]))
        if key in ("orders", "revenue", "average_order_value", "coupon_revenue"):
            if key == "coupon_revenue":
                orders.append(("id", "in", self._ecrm_coupon_order_ids()))
            return self._ecrm_window("sale.order", self.env._("Orders"), orders)
        customers = {
            "active_customers": self._ecrm_order_sql(companies, filters, period),
            "repeat_rate": self._ecrm_order_sql(companies, filters, period),
            "clv_average": self._ecrm_order_sql(companies, filters, period),
            "retention_rate": self._ecrm_order_sql(
                companies,
                filters,
                (start - (end - start) - timedelta(days=1), start - timedelta(days=1)),
            ),
            "new_customers": self._ecrm_firsts_sql(period, companies, filters),
        }
        customers["churn_rate"] = customers["retention_rate"]
        if key in customers:
            return self._ecrm_partners(
                SQL("SELECT customer FROM (%s) c", customers[key])
            )
        if (key == "clv_histogram" and not isinstance(value, int)) or (
            key == "rfm_move" and not (isinstance(value, list) and len(value) == 2)
        ):
            raise UserError(self.env._("Which bar of the chart?"))
        if key == "clv_histogram":
            return self._ecrm_partners(
                SQL(
                    "SELECT partner_id FROM (%s) c WHERE bucket = %s",
                    self._ecrm_clv_sql(companies, filters),
                    value,
                )
            )
        if key == "rfm_move":
            seg_a, seg_b = value
            return self._ecrm_partners(
                SQL(
                    """
                    SELECT b.partner_id FROM (%(at_b)s) b
                      LEFT JOIN (%(at_a)s) a ON a.partner_id = b.partner_id
                       AND a.company_id = b.company_id
                     WHERE a.rfm_segment IS NOT DISTINCT FROM %(seg_a)s
                       AND b.rfm_segment IS NOT DISTINCT FROM %(seg_b)s
                    """,
                    at_a=self._ecrm_segments_at(start, companies),
                    at_b=self._ecrm_segments_at(end, companies),
                    seg_a=seg_a or None,
                    seg_b=seg_b or None,
                )
            )
        profile_fields = {
            "level_id": "level_id",
            "lifecycle_stage": "lifecycle_stage",
            "funnel": "lifecycle_stage",
            "rfm_segment": "rfm_segment",
        }
        if key in profile_fields:
            return self._ecrm_window(
                "res.partner",
                self.env._("Customers"),
                [
                    (
                        "ecrm_profile_ids",
                        "any",
                        [*profiles, (profile_fields[key], "=", value or False)],
                    )
                ],
            )
        return self._ecrm_drilldown_records(
            key, companies, filters, (after, before), value
        )

    @api.model
    def _ecrm_drilldown_records(self, key, companies, filters, bounds, value):
        """The drill-downs of the service and campaign figures."""
        after, before = bounds
        if key in ("tickets", "avg_first_response_hours", "sla_met_rate"):
            tickets = [
                ("company_id", "in", companies.ids),
                ("create_date", ">=", after),
                ("create_date", "<", before),
            ]
            if filters["levels"]:
                tickets.append(("ecrm_level_id", "in", filters["levels"]))
            return self._ecrm_window("helpdesk.ticket", self.env._("Tickets"), tickets)
        if key == "csat":
            return self._ecrm_window(
                "rating.rating",
                self.env._("Ratings"),
                [
                    ("consumed", "=", True),
                    ("rating", ">", 0),
                    ("res_model", "in", list(RATED_MODELS)),
                    ("write_date", ">=", after),
                    ("write_date", "<", before),
                ],
            )
        if key == "nps":
            return self._ecrm_window(
                "ecrm.nps.answer",
                self.env._("NPS answers"),
                [
                    ("company_id", "in", companies.ids),
                    ("date", ">=", after),
                    ("date", "<", before),
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
                    ("date_done", "<", before),
                ],
            )
        if key in ("coupons_issued", "coupons_redeemed", "incremental_revenue"):
            issues = [("company_id", "in", companies.ids)]
            if key == "coupons_redeemed":
                issues += [
                    ("redeemed_date", ">=", after),
                    ("redeemed_date", "<", before),
                ]
            else:
                issues += [("create_date", ">=", after), ("create_date", "<", before)]
            if key == "coupons_issued":
                issues.append(("card_id", "!=", False))
            if value:
                issues.append(("rule_id", "=", value))
            return self._ecrm_window(
                "ecrm.coupon.issue", self.env._("Coupon issues"), issues
            )
        raise UserError(self.env._("Unknown figure: %s", key))

    @api.model
    def _ecrm_coupon_order_ids(self):
        return (
            self.env["ecrm.coupon.issue"]
            .sudo()
            .search([("order_id", "!=", False)])
            .order_id.ids
        )

    @api.model
    def _ecrm_partners(self, query):
        """The customers a query returns (one column of partner ids)."""
        self.env.cr.execute(query)
        ids = [row[0] for row in self.env.cr.fetchall()]
        return self._ecrm_window(
            "res.partner", self.env._("Customers"), [("id", "in", ids)]
        )

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
        self._ecrm_demo_campaigns(
            orders - cancelled, dict(zip(orders.ids, days, strict=True)), rng
        )
        self.env["ecrm.profile"].with_company(company)._ecrm_recompute_all()
        self._ecrm_refresh(full=True)

    @api.model
    def _ecrm_demo_campaigns(self, orders, age, rng):
        """NPS answers after a third of the deliveries; every month for a year,
        coupons of a demo rule to three customers (one more in the control
        group), redeemed on the customer's next order for most of them."""
        today = fields.Date.context_today(self)
        delivered = orders.filtered(lambda o: age[o.id] > 3 and rng.random() < 0.3)
        self.env["ecrm.nps.answer"].create(
            [
                {
                    "partner_id": order.partner_id.id,
                    "company_id": order.company_id.id,
                    "score": rng.choice((10, 10, 9, 9, 8, 7, 6, 3)),
                    "date": datetime.combine(
                        today - timedelta(days=age[order.id] - 3), time(18)
                    ),
                }
                for order in delivered
            ]
        )
        rule = self.env.ref(
            "ecrm_loyalty.ecrm_coupon_rule_demo_purchase_history",
            raise_if_not_found=False,
        )
        if not rule:
            return
        customers = orders.partner_id
        for month in range(1, 13):
            issued = today - timedelta(days=30 * month)
            # mostly customers who ordered in the month after: some redeem
            buyers = orders.filtered(
                lambda o, month=month: 0 < 30 * month - age[o.id] <= 30
            ).partner_id
            treated = buyers.browse(rng.sample(buyers.ids, min(3, len(buyers))))
            others = customers - treated
            drawn = treated | others.browse(rng.choice(others.ids))
            cards = self.env["loyalty.card"].create(
                [
                    {"program_id": rule.program_id.id, "partner_id": p.id, "points": 1}
                    for p in treated
                ]
            )
            issues = self.env["ecrm.coupon.issue"].create(
                [
                    {
                        "rule_id": rule.id,
                        "partner_id": partner.id,
                        "company_id": rule.company_id.id,
                        "period_start": issued,
                        "is_control": not card,
                        "card_id": card.id,
                    }
                    for partner, card in zip(
                        drawn, [*cards, cards.browse()], strict=True
                    )
                ]
            )
            self.env.flush_all()
            for issue in issues:
                redeemed_on = orders.filtered(
                    lambda o, issue=issue, month=month: (
                        o.partner_id == issue.partner_id
                        and 0 < 30 * month - age[o.id] <= 30
                    )
                )[:1]
                redeem = issue.card_id and redeemed_on and rng.random() < 0.6
                self.env.cr.execute(
                    SQL(
                        "UPDATE ecrm_coupon_issue SET create_date = %s, order_id = %s,"
                        " redeemed_date = %s WHERE id = %s",
                        datetime.combine(issued, time(8)),
                        redeem and redeemed_on.id or None,
                        redeem and redeemed_on.date_order or None,
                        issue.id,
                    )
                )
        self.env.invalidate_all()
