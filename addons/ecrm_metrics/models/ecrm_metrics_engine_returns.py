# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models
from odoo.tools import SQL

from .ecrm_metrics_engine import ORDER_TABLE

# the same customer, channel and level in two rows of first orders (f, w);
# COALESCE rather than IS NOT DISTINCT FROM: a hash join
COMBO = SQL(
    """
    f.partner_id = w.partner_id
    AND COALESCE(f.channel, '') = COALESCE(w.channel, '')
    AND COALESCE(f.level_id, 0) = COALESCE(w.level_id, 0)
    """
)


class EcrmMetricsEngineReturns(models.AbstractModel):
    """The part of the refresh (``ecrm.metrics.engine``) behind the customers
    of a period: the rows of the customers' orders (``ORDER_TABLE``), the
    return and cohort snapshots summed from them, the customers' first orders
    per channel and level and their last order day on their profiles. Called
    by the engine with the orders and customers changed since the company's
    last refresh (everything on a rebuild)."""

    _name = "ecrm.metrics.engine.returns"
    _description = "eCRM Metrics: Refresh of the Customers' Orders"

    @api.model
    def _ecrm_refresh_returns(self, company, changed):
        """Rewrite the rows (``ORDER_TABLE``) of the orders changed since the
        last refresh (``changed``: ``{"orders": ids, "customers": (partner
        ids, the first day each one's changed orders were or are on)}``;
        everything when None) and what they count in the return and cohort
        snapshots: what the customers' orders counted is subtracted before,
        added after; then the customers' first orders per channel and level
        (``ecrm.metrics.customer.first``) and their last order day on their
        profiles."""
        cr = self.env.cr
        table = SQL.identifier(ORDER_TABLE)
        if changed is None:
            # a rebuild: millions of rows, only those that differ written (in
            # order: a customer's rows together; the statistics taken before
            # and after, the plans depend on them), then read in order (a sort
            # in memory) rather than consumed from the statement's own result;
            # the memory for these statements only, not the rest of the
            # transaction (other companies, the profiles)
            with self.env["ecrm.profile.engine"]._ecrm_settings(work_mem="512MB"):
                cr.execute(
                    SQL(
                        """
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
                               (company_id, partner_id, order_id, date, channel,
                                level_id)
                        SELECT * FROM (%(orders)s) so
                         WHERE NOT EXISTS (SELECT 1 FROM %(table)s t
                                            WHERE t.order_id = so.id)
                         ORDER BY 2, 4;
                        ANALYZE %(table)s;
                        DELETE FROM ecrm_metrics_return_day
                         WHERE company_id = %(company)s;
                        DELETE FROM ecrm_metrics_cohort_day
                         WHERE company_id = %(company)s
                        """,
                        table=table,
                        company=company.id,
                        orders=self._ecrm_orders_sql(company),
                    )
                )
                # the rows of a stream together (in order): a figure reads one
                # stream's rows through the index, not every stream's pages
                self._ecrm_add_returns(company, self._ecrm_rows_sql(company), 1)
                self._ecrm_count_clv(company)
                cr.execute(
                    "ANALYZE ecrm_metrics_return_day; ANALYZE ecrm_metrics_cohort_day"
                )
                self._ecrm_refresh_customers(company, None)
            return
        # the customers whose orders changed from their first changed day,
        # and those whose CLV changed (no day, NULL: their last orders only)
        partners, since = changed["customers"]
        cr.execute(
            SQL(
                """
                SELECT COALESCE(array_agg(partner_id ORDER BY partner_id), '{}'),
                       COALESCE(array_agg(since ORDER BY partner_id), '{}')
                  FROM (SELECT partner_id, min(since) AS since FROM (
                            SELECT unnest(%s::int[]) AS partner_id,
                                   unnest(%s::date[]) AS since
                            UNION ALL
                            SELECT partner_id, NULL FROM ecrm_profile
                             WHERE company_id = %s
                               AND ecrm_metrics_clv IS DISTINCT FROM clv) c
                         GROUP BY partner_id) c
                """,
                partners,
                since,
                company.id,
            )
        )
        counted = cr.fetchone()
        if counted[0]:
            self._ecrm_rewrite_orders(company, changed["orders"], *counted)
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
    def _ecrm_rows_sql(self, company, customers=None, clv="clv"):
        """The rows (partner_id, date, channel, level_id, counted, first_all,
        first_channel, first_level, clv) of ``ORDER_TABLE`` that the return
        and cohort snapshots count, with the ``clv`` (or ``ecrm_metrics_clv``:
        as counted) of the customer's profile. Every row of the company,
        counted, when ``customers`` is None; else for the customers
        (``(partner ids, days)``; no day: None) their rows from that day on,
        counted, and
        the two before it in each stream of orders (all of them, their
        channel, their level), not counted, with the first day of the
        customer in each stream."""
        if customers is None:
            return SQL(
                """
                SELECT o.partner_id, o.date, o.channel, o.level_id, TRUE AS counted,
                       NULL::date AS first_all, NULL::date AS first_channel,
                       NULL::date AS first_level, pr.%(clv)s AS clv
                  FROM %(table)s o
                  LEFT JOIN ecrm_profile pr ON pr.company_id = o.company_id
                   AND pr.partner_id = o.partner_id
                 WHERE o.company_id = %(company)s
                """,
                clv=SQL.identifier(clv),
                table=SQL.identifier(ORDER_TABLE),
                company=company.id,
            )

        def rank(partition):
            """The rank of a row among the customer's rows before the day,
            latest first, in a stream."""
            return SQL(
                "count(*) FILTER (WHERE o.date < c.since) OVER (PARTITION BY %s"
                " ORDER BY o.date DESC ROWS UNBOUNDED PRECEDING)",
                partition,
            )

        # every row of the customers read once, one index probe each (OFFSET
        # 0: the planner would flatten the join and read every row of the
        # company), ranked in each stream: a few sorts of all of them, not
        # one per customer
        return SQL(
            """
            SELECT partner_id, date, channel, level_id, counted, first_all,
                   first_channel, first_level, clv
              FROM (SELECT c.partner_id, o.date, o.channel, o.level_id,
                           o.date >= c.since AS counted,
                           min(o.date) OVER (PARTITION BY c.partner_id) AS first_all,
                           min(o.date) OVER (PARTITION BY c.partner_id, o.channel)
                               AS first_channel,
                           min(o.date) OVER (PARTITION BY c.partner_id, o.level_id)
                               AS first_level,
                           %(rank_all)s AS rank_all,
                           %(rank_channel)s AS rank_channel,
                           %(rank_level)s AS rank_level,
                           c.clv
                      FROM (SELECT partner_id, COALESCE(since, 'infinity') AS since,
                                   (SELECT pr.%(clv)s FROM ecrm_profile pr
                                     WHERE pr.company_id = %(company)s
                                       AND pr.partner_id = c.partner_id) AS clv
                              FROM unnest(%(partners)s::int[], %(since)s::date[])
                                   c (partner_id, since)
                            OFFSET 0) c
                     CROSS JOIN LATERAL (
                           SELECT o.date, o.channel, o.level_id FROM %(table)s o
                            WHERE o.company_id = %(company)s
                              AND o.partner_id = c.partner_id
                           OFFSET 0) o) o
             WHERE counted OR rank_all <= 2 OR rank_channel <= 2 OR rank_level <= 2
            """,
            clv=SQL.identifier(clv),
            table=SQL.identifier(ORDER_TABLE),
            company=company.id,
            partners=customers[0],
            since=customers[1],
            rank_all=rank(SQL("c.partner_id")),
            rank_channel=rank(SQL("c.partner_id, o.channel")),
            rank_level=rank(SQL("c.partner_id, o.level_id")),
        )

    @api.model
    def _ecrm_count_clv(self, company, partners=None):
        """The CLV of the profiles of the company (``partners``: those only)
        is the one the return snapshot counts now."""
        self.env.cr.execute(
            SQL(
                """
                UPDATE ecrm_profile SET ecrm_metrics_clv = clv
                 WHERE company_id = %s AND %s
                   AND ecrm_metrics_clv IS DISTINCT FROM clv
                """,
                company.id,
                SQL("partner_id IN (SELECT unnest(%s::int[]))", partners)
                if partners is not None
                else SQL("TRUE"),
            )
        )

    @api.model
    def _ecrm_rewrite_orders(self, company, order_ids, partners, since):
        """Rewrite the rows of the orders ``order_ids`` and what the orders of
        the customers ``partners`` from the days ``since`` each count in the
        return and cohort snapshots (their previous orders in each stream
        are among those or the two before), and their last orders with
        their CLV ("infinity": those only)."""
        cr = self.env.cr
        table = SQL.identifier(ORDER_TABLE)
        customers = (partners, since)
        self._ecrm_add_returns(
            company, self._ecrm_rows_sql(company, customers, "ecrm_metrics_clv"), -1
        )
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
        self._ecrm_add_returns(company, self._ecrm_rows_sql(company, customers), 1)
        self._ecrm_count_clv(company, partners)
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
            dated = self.env["ecrm.metrics.engine"]._ecrm_changed_filter(
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
        previous order and of the one before; the customer's last order
        under day "infinity", with their CLV) and in the cohort snapshot (the
        first order of each month, under the month of the customer's first
        order), in each stream of orders: all of them, those of a channel, of
        a level at confirmation. ``rows``: a statement returning rows
        (partner_id, date, channel, level_id, counted, first_all,
        first_channel, first_level, clv) of ``ORDER_TABLE``
        (``_ecrm_rows_sql``): the orders ``counted`` of each customer and at
        least the two before them in each stream (not counted), the
        customer's first day in each stream (NULL: the first row). The last
        row of each customer and stream is counted under "infinity" even when
        it is not counted (its CLV may have changed). The days of a
        customer's previous orders do not depend on how orders of one day are
        ranked."""
        self.env.cr.execute(
            SQL(
                """
                WITH o AS (
                    SELECT s.channel, s.level_id, r.date, r.counted, r.clv,
                           lag(r.date) OVER w AS previous_date,
                           lag(r.date, 2) OVER w AS second_date,
                           lead(r.date) OVER w IS NULL AS last,
                           COALESCE(s.first_date, first_value(r.date) OVER w)
                               AS first_date
                      FROM (%(rows)s) r
                     CROSS JOIN LATERAL (
                           VALUES (NULL, NULL::int, TRUE, r.first_all),
                                  (r.channel, NULL, r.channel IS NOT NULL,
                                   r.first_channel),
                                  (NULL, r.level_id, r.level_id IS NOT NULL,
                                   r.first_level)
                           ) s (channel, level_id, kept, first_date)
                     WHERE s.kept
                    WINDOW w AS (PARTITION BY r.partner_id, s.channel, s.level_id
                                 ORDER BY r.date)
                ), returns AS (
                    INSERT INTO ecrm_metrics_return_day AS r
                           (company_id, channel, level_id, date, previous_date,
                            orders, second_orders, clv_customers, clv)
                    SELECT %(company)s, channel, level_id, date, previous_date,
                           %(sign)s * sum(n), %(sign)s * sum(n2),
                           %(sign)s * count(clv), %(sign)s * COALESCE(sum(clv), 0)
                      FROM (SELECT channel, level_id, date, previous_date, 1 AS n,
                                   0 AS n2, NULL::numeric AS clv
                              FROM o WHERE counted AND previous_date IS NOT NULL
                            UNION ALL
                            SELECT channel, level_id, date, second_date, 0, 1, NULL
                              FROM o WHERE counted AND second_date IS NOT NULL
                            UNION ALL
                            SELECT channel, level_id, 'infinity', date, 1, 0, clv
                              FROM o WHERE last) o
                     GROUP BY channel, level_id, date, previous_date
                     ORDER BY channel, level_id, date, previous_date
                    ON CONFLICT (company_id, date, previous_date, channel, level_id)
                       DO UPDATE
                       SET orders = r.orders + EXCLUDED.orders,
                           second_orders = r.second_orders + EXCLUDED.second_orders,
                           clv_customers = r.clv_customers + EXCLUDED.clv_customers,
                           clv = r.clv + EXCLUDED.clv
                )
                INSERT INTO ecrm_metrics_cohort_day AS k
                       (company_id, channel, level_id, cohort, date, customers)
                SELECT %(company)s, channel, level_id,
                       date_trunc('month', first_date)::date, date, %(sign)s * count(*)
                  FROM o
                 WHERE counted AND (previous_date IS NULL
                                    OR previous_date < date_trunc('month', date))
                 GROUP BY channel, level_id, 4, date
                 ORDER BY channel, level_id, 4, date
                ON CONFLICT (company_id, cohort, date, channel, level_id) DO UPDATE
                   SET customers = k.customers + EXCLUDED.customers
                """,
                rows=rows,
                company=company.id,
                sign=sign,
            )
        )
