# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging
from collections import namedtuple
from contextlib import contextmanager
from datetime import datetime, time, timedelta

import pytz

from odoo import api, fields, models
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import SQL

from ..tools.btyd_sql import predictive_sql

_logger = logging.getLogger(__name__)

# Namespace of the engine's advisory locks (the second key is the company).
LOCK_NAMESPACE = 0x6563726D  # "ecrm"

# What a run changed, one row per customer whose level or stage moved: the
# columns the update statement returns (_ecrm_update_sql), in this order.
RunChange = namedtuple(
    "RunChange",
    "partner_id old_level_id new_level_id level_reason old_stage new_stage",
)
# What the post-run hook receives (partners are commercial partners).
LevelChange = namedtuple("LevelChange", "partner_id old_level_id new_level_id")
StageChange = namedtuple("StageChange", "partner_id old_stage new_stage")

# profile column <- column of the decided row ``f`` of the update statement
PROFILE_COLUMNS = {
    "risk_days": "risk_days_rounded",
    "frequency": "frequency",
    "monetary": "monetary",
    "aov": "aov_rounded",
    "clv": "clv",
    "order_count": "orders",
    "first_order_date": "first_day",
    "last_order_date": "last_day",
    "r_score": "r_score",
    "f_score": "f_score",
    "m_score": "m_score",
    "rfm_segment": "segment",
    "lifecycle_stage": "stage",
    "lifecycle_date": "stage_date",
    "level_id": "new_level",
    "level_below_since": "new_below_since",
    "historical_revenue": "historical",
    "clv_x": "clv_x",
    "clv_first_day": "clv_first_day",
    "clv_last_day": "clv_last_day",
    "clv_repeat_value": "clv_repeat_value",
}


class EcrmProfileEngine(models.AbstractModel):
    """The eCRM engine: computes the profiles of a company's customers (RFM,
    CLV, churn risk, lifecycle stage and level) in set-based SQL and writes
    them with their histories in one statement.

    A run is either *full* (every customer of the company, which also refreshes
    the RFM quintile boundaries: the scheduled action, one company per call)
    or *incremental* (a few customers, scored within the stored boundaries:
    one order confirmed or cancelled, a level unpinned). Runs of one company
    are serialised by an advisory lock: a full run takes it exclusively and
    waits for it; an incremental run shares it and, when a full run holds it,
    does not wait but leaves its customers *dirty*, for the end of that run
    (or the next one). Other addons react to what a run changed by extending
    ``_ecrm_post_run``.

    "Today" and the day of an order are those of the company's time zone
    (``res.company._ecrm_tz``), whoever runs the engine."""

    _name = "ecrm.profile.engine"
    _description = "eCRM Profile Engine"

    def init(self):
        # Customers to recompute at the end of the next run of their company:
        # a plain table, written by concurrent transactions without waiting.
        self.env.cr.execute(
            """
            CREATE TABLE IF NOT EXISTS ecrm_profile_dirty (
                company_id int NOT NULL
                    REFERENCES res_company (id) ON DELETE CASCADE,
                partner_id int NOT NULL
                    REFERENCES res_partner (id) ON DELETE CASCADE,
                PRIMARY KEY (company_id, partner_id)
            )
            """
        )

    # ------------------------------------------------------------------
    # Hook
    # ------------------------------------------------------------------

    @api.model
    def _ecrm_post_run(self, company, level_changes, stage_changes):
        """After each engine run (nightly batch or one order's incremental
        update), in the run's transaction, after profiles and histories are
        written. level_changes: list of ``LevelChange(partner_id,
        old_level_id or None, new_level_id or None)``; stage_changes: list of
        ``StageChange(partner_id, old_stage or None, new_stage)`` (named tuples:
        fields by name, or unpacked in that order). Partners are commercial
        partners. Runs on the
        order-confirmation path: overrides must stay small (record, or
        ir.cron._trigger() their own cron), never send mail inline or loop over
        all customers."""

    # ------------------------------------------------------------------
    # Runs
    # ------------------------------------------------------------------

    @api.model
    def _ecrm_run(self, company, partner_ids=None, skip_grace=False):
        """Recompute the customers ``partner_ids`` (commercial partners) of
        ``company``, or all of them (a full run) when it is None. Downgrades
        wait for the grace period unless ``skip_grace``. Returns False when an
        incremental run found a full run in progress and left the customers
        dirty for it."""
        # the company's settings and engine state, whoever triggered the run
        company = company.sudo()
        self.env.flush_all()
        if partner_ids is None:
            self._ecrm_lock(company)
            rows = self._ecrm_run_full(company, skip_grace)
            dirty = self._ecrm_pop_dirty(company)
            if dirty:
                rows += self._ecrm_run_incremental(company, dirty, skip_grace)
            if company.ecrm_clv_model_id:
                self.env.flush_all()
                company.ecrm_clv_model_id._ecrm_summarise(self._ecrm_today(company))
        else:
            if not partner_ids:
                return True
            if not self._ecrm_lock(company, shared=True):
                self._ecrm_mark_dirty(company, partner_ids)
                return False
            if not company.ecrm_rfm_cuts:
                # No full run yet (the addon was just installed): never one in
                # a request. Score without boundaries and ask for the first.
                self.env.ref("ecrm_core.ir_cron_ecrm_recompute").sudo()._trigger()
            try:
                with self.env.cr.savepoint(flush=False):
                    rows = self._ecrm_run_incremental(company, partner_ids, skip_grace)
            except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
                # another transaction wrote these profiles meanwhile (Odoo's
                # repeatable read): theirs stands, these customers wait
                _logger.info("eCRM: customers %s left for the next run", partner_ids)
                self._ecrm_mark_dirty(company, partner_ids)
                return False
        self.env.invalidate_all()
        self._ecrm_after_write(company, rows)
        return True

    @api.model
    def _ecrm_clv_curve(self, company, histories=None):
        """Give the company's predictive model the curve rows its customers
        need today and tomorrow (a read after midnight, before the next run,
        finds them too): those of ``histories``, an SQL query of (x, first
        transaction day) rows, by default every profile of the company."""
        model = company.sudo().ecrm_clv_model_id
        if not model:
            return
        self.env["ecrm.profile"].flush_model(["clv_x", "clv_first_day"])
        if histories is None:
            histories = SQL(
                "SELECT clv_x, clv_first_day FROM ecrm_profile WHERE company_id = %s",
                company.id,
            )
        today = self._ecrm_today(company)
        model._ecrm_ensure_curve(
            SQL(
                """
                SELECT DISTINCT h.x, d - h.first_day
                  FROM (%s) h (x, first_day),
                       unnest(ARRAY[%s, %s]::date[]) d
                 WHERE h.first_day IS NOT NULL
                """,
                histories,
                today,
                today + timedelta(days=1),
            )
        )

    @api.model
    def _ecrm_lock(self, company, shared=False):
        """Take the company's engine lock until the end of the transaction:
        exclusively and waiting for it, or shared and without waiting (returns
        whether it was taken)."""
        if shared:
            self.env.cr.execute(
                SQL(
                    "SELECT pg_try_advisory_xact_lock_shared(%s, %s)",
                    LOCK_NAMESPACE,
                    company.id,
                )
            )
            return self.env.cr.fetchone()[0]
        self.env.cr.execute(
            SQL("SELECT pg_advisory_xact_lock(%s, %s)", LOCK_NAMESPACE, company.id)
        )
        return True

    @api.model
    def _ecrm_mark_dirty(self, company, partner_ids):
        """Leave these customers for the end of the next run of ``company``."""
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO ecrm_profile_dirty (company_id, partner_id)
                SELECT %s, unnest(%s::int[])
                    ON CONFLICT DO NOTHING
                """,
                company.id,
                list(partner_ids),
            )
        )

    @api.model
    def _ecrm_pop_dirty(self, company):
        self.env.cr.execute(
            SQL(
                """
                DELETE FROM ecrm_profile_dirty
                 WHERE company_id = %s
             RETURNING partner_id
                """,
                company.id,
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    @contextmanager
    def _ecrm_settings(self, **settings):
        """PostgreSQL settings for the statements of the block, restored
        after it (the transaction's own values stay untouched)."""
        cr = self.env.cr
        names = list(settings)
        cr.execute(
            SQL(
                "SELECT %s",
                SQL(", ").join(
                    SQL("current_setting(%s), set_config(%s, %s, true)", n, n, v)
                    for n, v in settings.items()
                ),
            )
        )
        previous = cr.fetchone()[::2]
        # after an error, the rollback (of the transaction or the savepoint)
        # restores them
        yield
        cr.execute(
            SQL(
                "SELECT %s",
                SQL(", ").join(
                    SQL("set_config(%s, %s, true)", name, value)
                    for name, value in zip(names, previous, strict=True)
                ),
            )
        )

    @api.model
    def _ecrm_today(self, company):
        return fields.Date.context_today(self.with_context(tz=company._ecrm_tz()))

    @api.model
    def _ecrm_run_full(self, company, skip_grace):
        cr = self.env.cr
        today = self._ecrm_today(company)
        # The planner's cost estimate of these queries triggers PostgreSQL's JIT
        # compilation, which alone takes seconds: measured 10x slower with it.
        # The company's first full run (the suite installed on a shop with a
        # history) classifies every customer at once: that day is no event in
        # their lives, so the profiles it creates start without history rows
        # and are no change for the hook (a win-back rule would otherwise take
        # every long-churned customer for one who just left). It also saves
        # the histories' foreign-key checks, most of that run's time.
        first_run = not company.ecrm_rfm_cuts
        with self._ecrm_settings(jit="off"):
            cr.execute("DROP TABLE IF EXISTS pg_temp.ecrm_stats")
            # Aggregating the orders as they stream out of the covering index
            # needs no memory; hashing a million customers spills to disk
            # (measured 2x slower at 1 M customers).
            with self._ecrm_settings(enable_hashagg="off"):
                cr.execute(
                    SQL(
                        "CREATE TEMP TABLE ecrm_stats ON COMMIT DROP AS %s",
                        self._ecrm_stats_sql(company, None, today),
                    )
                )
            # the plans of the next statements depend on how many customers
            # are in which stage
            cr.execute("ANALYZE pg_temp.ecrm_stats (partner_id, stage)")
            self._ecrm_clv_curve(
                company, SQL("SELECT clv_x, clv_first_day FROM pg_temp.ecrm_stats")
            )
            recount_all = (
                company.ecrm_extension_counted != company.ecrm_extension_categories
            )
            cr.execute(self._ecrm_extension_sql(company, recount_all))
            cr.execute(
                """
                SELECT percentile_disc(ARRAY[0.2, 0.4, 0.6, 0.8])
                           WITHIN GROUP (ORDER BY recency),
                       percentile_disc(ARRAY[0.2, 0.4, 0.6, 0.8])
                           WITHIN GROUP (ORDER BY frequency),
                       percentile_disc(ARRAY[0.2, 0.4, 0.6, 0.8])
                           WITHIN GROUP (ORDER BY monetary)
                  FROM pg_temp.ecrm_stats
                 WHERE orders IS NOT NULL
                """
            )
            r_cuts, f_cuts, m_cuts = cr.fetchone()
            cuts = r_cuts and {
                "r": r_cuts,
                "f": f_cuts,
                "m": [float(cut) for cut in m_cuts],
            }
            company.sudo().write(
                {
                    "ecrm_rfm_cuts": cuts,
                    "ecrm_extension_counted": company.ecrm_extension_categories,
                }
            )
            company.sudo().flush_recordset(["ecrm_rfm_cuts", "ecrm_extension_counted"])
            cr.execute(
                self._ecrm_update_sql(
                    company,
                    cuts,
                    today,
                    SQL("pg_temp.ecrm_stats"),
                    skip_grace,
                    record_new=not first_run,
                )
            )
            rows = cr.fetchall()
            # A first run creates every profile at once: the next run's plans
            # need statistics that know it, whatever autovacuum did meanwhile.
            cr.execute(
                """
                SELECT reltuples < (SELECT count(*) FROM pg_temp.ecrm_stats) / 2
                  FROM pg_class
                 WHERE oid = 'ecrm_profile'::regclass
                """
            )
            if cr.fetchone()[0]:
                cr.execute("ANALYZE ecrm_profile")
            cr.execute("DROP TABLE pg_temp.ecrm_stats")
        return rows

    @api.model
    def _ecrm_run_incremental(self, company, partner_ids, skip_grace):
        """One statement, no temporary table: the statistics of these
        customers (categories recounted) are a CTE of the update."""
        today = self._ecrm_today(company)
        self._ecrm_clv_curve(
            company,
            SQL(
                """
                SELECT count(DISTINCT so.date_order::date) - 1,
                       min(so.date_order)::date
                  FROM sale_order so
                 WHERE so.company_id = %s AND so.state = 'sale'
                   AND so.ecrm_commercial_partner_id = ANY(%s)
                   AND so.date_order < %s
                 GROUP BY so.ecrm_commercial_partner_id
                """,
                company.id,
                list(partner_ids),
                self._ecrm_day_start(company, today + timedelta(days=1)),
            ),
        )
        stats = SQL("(%s)", self._ecrm_stats_sql(company, list(partner_ids), today))
        with self._ecrm_settings(jit="off"):
            self.env.cr.execute(
                self._ecrm_update_sql(
                    company, company.ecrm_rfm_cuts, today, stats, skip_grace
                )
            )
            return self.env.cr.fetchall()

    @api.model
    def _ecrm_after_write(self, company, rows):
        """What follows the write of the profiles: chatter of the level
        changes, follow-ups of the customers who entered *at risk*, the
        post-run hook."""
        changes = [RunChange(*row) for row in rows]
        self.env["ecrm.level.history"]._ecrm_log_changes(
            [
                (c.partner_id, c.old_level_id, c.new_level_id, c.level_reason)
                for c in changes
                if c.old_level_id and c.level_reason
            ]
        )
        # a first classification (from selection) is no change
        at_risk = self.env["res.partner"].browse(
            c.partner_id
            for c in changes
            if c.new_stage == "at_risk" and c.old_stage not in ("at_risk", "selection")
        )
        at_risk.with_company(company)._ecrm_proactive_followup(
            self.env._("The customer is now at risk of churning.")
        )
        self.with_company(company)._ecrm_post_run(
            company,
            [
                LevelChange(c.partner_id, c.old_level_id, c.new_level_id)
                for c in changes
                if c.level_reason
            ],
            [
                StageChange(c.partner_id, c.old_stage, c.new_stage)
                for c in changes
                if c.old_stage != c.new_stage
            ],
        )

    # ------------------------------------------------------------------
    # SQL builders
    # ------------------------------------------------------------------

    @api.model
    def _ecrm_day_start(self, company, day):
        """The UTC timestamp at which ``day`` starts in the company's zone."""
        zone = pytz.timezone(company._ecrm_tz())
        start = zone.localize(datetime.combine(day, time.min))
        return start.astimezone(pytz.UTC).replace(tzinfo=None)

    @api.model
    def _ecrm_stats_sql(self, company, partner_ids, today):
        """Per customer of ``company`` (all of them when ``partner_ids`` is
        None): order statistics, churn risk, lifecycle stage and CLV. Repeat
        customers who are neither at risk nor churned are in *retention*; for
        given customers, those who bought in enough categories are in
        *extension* already; a full run moves them with
        ``_ecrm_extension_sql``."""
        window_start = today - timedelta(days=company.ecrm_window_days)
        tz = company._ecrm_tz()
        extended = SQL("SELECT NULL::int WHERE FALSE")
        if partner_ids is None:
            only_orders = only_refunds = SQL("")
            # customers with orders, and those known before (all orders cancelled)
            population = SQL(
                """
                agg FULL JOIN (
                    SELECT partner_id FROM ecrm_profile WHERE company_id = %s
                ) known USING (partner_id)
                """,
                company.id,
            )
        else:
            only_orders = SQL(
                "AND so.ecrm_commercial_partner_id = ANY(%s)", partner_ids
            )
            only_refunds = SQL("AND am.commercial_partner_id = ANY(%s)", partner_ids)
            population = SQL(
                "(SELECT unnest(%s::int[]) AS partner_id) pop LEFT JOIN agg"
                " USING (partner_id)",
                partner_ids,
            )
            extended = self._ecrm_categories_sql(
                company, SQL("p.commercial_partner_id = ANY(%s)", partner_ids)
            )
        amount = self._ecrm_amount_sql()
        figures = self._ecrm_predictive_columns(company, today, "base")
        at_risk = SQL("recency >= risk_days")
        threshold = company.ecrm_at_risk_churn_threshold
        if company.ecrm_clv_model_id and threshold:
            # with a model, at risk is a probability of no order in the horizon
            at_risk = SQL(
                "COALESCE(no_order * 100 >= %s, recency >= risk_days)", threshold
            )
        return SQL(
            """
            WITH agg AS (
                -- an index-only scan of sale_order_ecrm_stats_index,
                -- aggregated as it streams (the window keeps its order)
                SELECT so.partner_id,
                       count(*) AS orders,
                       (min(so.date_order) AT TIME ZONE 'UTC' AT TIME ZONE %(tz)s)::date
                           AS first_day,
                       (max(so.date_order) AT TIME ZONE 'UTC' AT TIME ZONE %(tz)s)::date
                           AS last_day,
                       sum(so.amount) AS amount,
                       count(*) FILTER (WHERE so.date_order >= %(window_start)s)
                           AS frequency,
                       COALESCE(sum(so.amount)
                                FILTER (WHERE so.date_order >= %(window_start)s), 0)
                           AS window_amount,
                       -- the predictive model's transactions: UTC days
                       count(*) FILTER (WHERE so.new_day) - 1 AS clv_x,
                       min(so.date_order)::date AS clv_first_day,
                       max(so.date_order)::date AS clv_last_day,
                       sum(so.amount) FILTER (WHERE so.date_order::date > so.first_utc)
                           AS repeat_amount
                  FROM (
                      SELECT so.ecrm_commercial_partner_id AS partner_id,
                             so.date_order,
                             %(amount)s AS amount,
                             first_value(so.date_order) OVER w ::date AS first_utc,
                             lag(so.date_order) OVER w ::date
                                 IS DISTINCT FROM so.date_order::date AS new_day
                        FROM sale_order so
                       WHERE so.company_id = %(company)s
                         AND so.state = 'sale'
                         AND so.date_order < %(tomorrow)s
                         %(only_orders)s
                      WINDOW w AS (PARTITION BY so.ecrm_commercial_partner_id
                                   ORDER BY so.date_order)
                  ) so
                 GROUP BY so.partner_id
            ), refunds AS (
                -- only credit notes of the company's confirmed orders (their
                -- lines, or the invoice they reverse, come from order lines):
                -- a refund of something never ordered is not this revenue
                SELECT am.commercial_partner_id AS partner_id,
                       -sum(am.amount_untaxed_signed) AS amount,
                       -COALESCE(sum(am.amount_untaxed_signed)
                                 FILTER (WHERE am.invoice_date >= %(window_day)s), 0)
                           AS window_amount
                  FROM account_move am
                 WHERE am.company_id = %(company)s
                   AND am.move_type = 'out_refund'
                   AND am.state = 'posted'
                   AND am.invoice_date <= %(today)s
                   %(only_refunds)s
                   AND EXISTS (
                       SELECT 1
                         FROM account_move_line aml
                         JOIN sale_order_line_invoice_rel rel
                           ON rel.invoice_line_id = aml.id
                         JOIN sale_order_line sol ON sol.id = rel.order_line_id
                        WHERE aml.move_id IN (am.id, am.reversed_entry_id)
                          AND sol.state = 'sale'
                   )
                 GROUP BY am.commercial_partner_id
            ), base AS (
                SELECT partner_id,
                       agg.orders,
                       agg.first_day,
                       agg.last_day,
                       %(today)s - agg.last_day AS recency,
                       COALESCE(agg.frequency, 0) AS frequency,
                       GREATEST(round((COALESCE(agg.window_amount, 0)
                              - COALESCE(refunds.window_amount, 0))::numeric, 2), 0)
                           AS monetary,
                       agg.amount / agg.orders AS aov,
                       GREATEST(round((COALESCE(agg.amount, 0)
                                       - COALESCE(refunds.amount, 0))::numeric, 2), 0)
                           AS historical,
                       agg.clv_x,
                       agg.clv_first_day,
                       agg.clv_last_day,
                       round((agg.repeat_amount / NULLIF(agg.clv_x, 0))::numeric, 2)
                           AS clv_repeat_value,
                       -- Days without an order after which the customer is at
                       -- risk: k times their usual interval; for one-time
                       -- buyers, the acquisition period.
                       CASE WHEN agg.orders >= 2
                            THEN GREATEST((agg.last_day - agg.first_day)::float
                                          / (agg.orders - 1), 1) * %(k)s
                            ELSE %(acquisition)s
                       END AS risk_days
                  FROM %(population)s
                  LEFT JOIN refunds USING (partner_id)
            ), predicted AS (
                -- the predictive model's closed forms (no curve needed)
                SELECT base.*,
                       %(p_alive)s AS p_alive,
                       %(no_order)s AS no_order
                  FROM base
            ), staged AS (
                SELECT predicted.*,
                       CASE WHEN orders IS NULL THEN 'selection'
                            WHEN recency >= %(churn)s THEN 'churned'
                            WHEN %(at_risk)s THEN 'at_risk'
                            WHEN orders = 1 THEN 'acquisition'
                            WHEN partner_id IN (%(extended)s) THEN 'extension'
                            ELSE 'retention'
                       END AS stage
                  FROM predicted
            )
            SELECT staged.*,
                   -- the expected future value is halved once the customer is
                   -- at risk and gone once churned
                   round((historical + COALESCE(
                       aov * frequency * 365.0 / %(window)s * %(horizon)s
                       * CASE stage WHEN 'churned' THEN 0
                                    WHEN 'at_risk' THEN 0.5
                                    ELSE 1 END, 0))::numeric, 2) AS clv
              FROM staged
            """,
            company=company.id,
            tz=tz,
            tomorrow=self._ecrm_day_start(company, today + timedelta(days=1)),
            today=today,
            window_start=self._ecrm_day_start(company, window_start),
            window_day=window_start,
            window=company.ecrm_window_days,
            amount=amount,
            only_orders=only_orders,
            only_refunds=only_refunds,
            population=population,
            extended=extended,
            k=company.ecrm_at_risk_factor,
            acquisition=company.ecrm_acquisition_days,
            churn=company.ecrm_churn_days,
            horizon=company.ecrm_clv_horizon_years,
            p_alive=figures["p_alive"],
            no_order=figures["no_order"],
            at_risk=at_risk,
        )

    @api.model
    def _ecrm_predictive_columns(self, company, today, alias, curve=None):
        """The predictive figures (``tools.btyd_sql.predictive_sql``) of the
        statistics row ``alias`` with the company's model; NULL without one."""
        model = company.sudo().ecrm_clv_model_id
        if model:
            params = model._ecrm_params_sql()
        else:
            params = dict.fromkeys(
                ("id", "r", "alpha", "a", "b", "p", "q", "gamma", "horizon"),
                SQL("NULL::float8"),
            )
        history = {
            "x": SQL.identifier(alias, "clv_x"),
            "first_day": SQL.identifier(alias, "clv_first_day"),
            "last_day": SQL.identifier(alias, "clv_last_day"),
            "value": SQL.identifier(alias, "clv_repeat_value"),
        }
        return predictive_sql(history, params, today, curve)

    @api.model
    def _ecrm_amount_sql(self):
        """An order's untaxed amount in the company currency (``so``)."""
        # most orders are in the company currency: no numeric division for them
        return SQL(
            """
            CASE WHEN so.currency_rate = 1 THEN so.amount_untaxed
                 ELSE so.amount_untaxed / COALESCE(NULLIF(so.currency_rate, 0), 1)
            END
            """
        )

    @api.model
    def _ecrm_categories_sql(self, company, partners):
        """The commercial partners ``p`` meeting the condition ``partners``
        who bought in at least the extension number of product categories."""
        return SQL(
            """
            SELECT p.commercial_partner_id
              FROM sale_order_line sol
              JOIN res_partner p ON p.id = sol.order_partner_id
              JOIN product_product pp ON pp.id = sol.product_id
              JOIN product_template pt ON pt.id = pp.product_tmpl_id
             WHERE sol.company_id = %(company)s
               AND sol.state = 'sale'
               AND sol.display_type IS NULL
               AND %(partners)s
             GROUP BY p.commercial_partner_id
            HAVING count(DISTINCT pt.categ_id) >= %(extension)s
            """,
            company=company.id,
            partners=partners,
            extension=company.ecrm_extension_categories,
        )

    @api.model
    def _ecrm_extension_sql(self, company, recount_all):
        """Move the customers of ``ecrm_stats`` in *retention* who bought in at
        least the extension number of product categories to *extension*.

        The categories bought only change with the customer's confirmed order
        lines and the products' categories, and every change of those
        recomputes the customer at once (``sale.order``, ``sale.order.line``
        and ``product.template`` hooks, ``recount_all``). So the full recompute
        recounts only the customers whose number of orders moved since their
        profile was written (or who were not repeat customers then) and keeps
        the others' verdict: reading every order line of every customer each
        night is the costliest part otherwise."""
        kept = SQL("SELECT NULL::int AS partner_id WHERE FALSE")
        recount = SQL(
            "SELECT partner_id FROM pg_temp.ecrm_stats WHERE stage = 'retention'"
        )
        if not recount_all:
            same_orders = SQL(
                """
                FROM pg_temp.ecrm_stats s
                JOIN ecrm_profile pr
                  ON pr.partner_id = s.partner_id
                 AND pr.company_id = %s
                 AND pr.order_count = s.orders
                 AND pr.lifecycle_stage IN ('retention', 'extension')
                WHERE s.stage = 'retention'
                """,
                company.id,
            )
            kept = SQL(
                "SELECT s.partner_id %s AND pr.lifecycle_stage = 'extension'",
                same_orders,
            )
            recount = SQL("%s EXCEPT SELECT s.partner_id %s", recount, same_orders)
        extended = self._ecrm_categories_sql(
            company, SQL("p.commercial_partner_id IN (%s)", recount)
        )
        return SQL(
            """
            UPDATE pg_temp.ecrm_stats s
               SET stage = 'extension'
              FROM (%s UNION ALL %s) extended
             WHERE s.partner_id = extended.partner_id
            """,
            kept,
            extended,
        )

    @api.model
    def _ecrm_score_sql(self, column, cuts, higher_is_better):
        """Quintile score 1–5 of ``column`` against four cut points: equal
        values always get equal scores."""
        if not cuts:
            return SQL("NULL::int")
        above = SQL(" + ").join(
            SQL("(%s > %s)::int", SQL.identifier("s", column), cut) for cut in cuts
        )
        if higher_is_better:
            return SQL("CASE WHEN s.orders IS NOT NULL THEN 1 + %s END", above)
        return SQL("CASE WHEN s.orders IS NOT NULL THEN 5 - (%s) END", above)

    @api.model
    def _ecrm_update_sql(
        self, company, cuts, today, stats, skip_grace, record_new=True
    ):
        """Score the statistics ``stats`` (a table or a subquery), decide
        levels (upgrades at once, downgrades after the grace period unless
        ``skip_grace``, pinned levels kept), write the profiles that changed
        and the histories in one statement; returns, per customer whose level
        or stage moved, the columns of ``RunChange``. Without ``record_new``,
        the profiles it creates write no history and return nothing."""
        cuts = cuts or {}
        grace_start = today - timedelta(days=company.ecrm_downgrade_grace_days)
        columns = SQL(", ").join(SQL.identifier(column) for column in PROFILE_COLUMNS)
        values = SQL(", ").join(
            SQL.identifier("f", source) for source in PROFILE_COLUMNS.values()
        )
        current = SQL(", ").join(
            SQL.identifier("pr", column) for column in PROFILE_COLUMNS
        )
        # the levels' predicted-CLV condition reads the model's curve, filled
        # for these customers before the statement (_ecrm_clv_curve)
        model = company.sudo().ecrm_clv_model_id
        curve, predicted_clv = SQL(), SQL("NULL::float8")
        if model:
            curve = SQL(
                """
                LEFT JOIN ecrm_clv_curve cv
                       ON cv.model_id = %s AND cv.x = s.clv_x
                      AND cv.age = %s - s.clv_first_day
                """,
                model.id,
                today,
            )
            predicted_clv = self._ecrm_predictive_columns(company, today, "s", "cv")[
                "clv"
            ]
        fields_ = self.env["ecrm.profile"]._fields
        # typed like the profile's columns, to compare them as one row
        typed = SQL(", ").join(
            SQL(
                "%s::%s",
                SQL.identifier("f", source),
                SQL(fields_[column].column_type[1]),
            )
            for column, source in PROFILE_COLUMNS.items()
        )
        sources = SQL(", ").join(
            SQL.identifier(source) for source in PROFILE_COLUMNS.values()
        )
        return SQL(
            """
            WITH scored AS (
                SELECT s.*,
                       %(r)s AS r_score,
                       %(f)s AS f_score,
                       %(m)s AS m_score,
                       %(predicted_clv)s AS predicted_clv
                  FROM %(stats)s s
                  %(curve)s
            ), segmented AS (
                SELECT s.*,
                       CASE WHEN s.orders IS NULL THEN NULL
                            WHEN s.r_score IS NULL THEN NULL
                            WHEN s.r_score >= 4 AND s.fm >= 4 THEN 'champions'
                            WHEN s.r_score >= 3 AND s.fm >= 3 THEN 'loyal'
                            WHEN s.r_score >= 3 AND s.fm = 2 THEN 'potential_loyalist'
                            WHEN s.r_score >= 4 THEN 'new'
                            WHEN s.r_score = 3 THEN 'promising'
                            WHEN s.r_score = 1 AND s.fm >= 4 THEN 'cant_lose'
                            WHEN s.fm >= 3 THEN 'at_risk'
                            WHEN s.r_score = 2 AND s.fm = 2 THEN 'need_attention'
                            WHEN s.r_score = 2 THEN 'about_to_sleep'
                            WHEN s.fm = 2 THEN 'hibernating'
                            ELSE 'lost'
                       END AS segment,
                       %(level)s AS target_level
                  FROM (SELECT scored.*,
                               round((scored.f_score + scored.m_score) / 2.0) AS fm
                          FROM scored) s
            ), current AS (
                SELECT s.*,
                       pr.id AS profile_id,
                       pr.level_id AS old_level,
                       COALESCE(cur.sequence, -1) AS old_seq,
                       COALESCE(tgt.sequence, -1) AS target_seq,
                       COALESCE(pr.level_pinned, FALSE) AS pinned,
                       pr.level_below_since AS below_since,
                       COALESCE(pr.lifecycle_stage, 'selection') AS old_stage,
                       pr.lifecycle_date AS old_stage_date,
                       ROW(%(current)s) AS old_values
                  FROM segmented s
                  LEFT JOIN ecrm_profile pr
                         ON pr.partner_id = s.partner_id
                        AND pr.company_id = %(company)s
                  LEFT JOIN ecrm_level cur ON cur.id = pr.level_id
                  LEFT JOIN ecrm_level tgt ON tgt.id = s.target_level
            ), decided AS (
                SELECT c.*,
                       CASE WHEN c.pinned THEN c.old_level
                            WHEN c.target_seq >= c.old_seq OR %(skip_grace)s
                                THEN c.target_level
                            WHEN COALESCE(c.below_since, %(today)s) <= %(grace_start)s
                                THEN c.target_level
                            ELSE c.old_level
                       END AS new_level,
                       CASE WHEN c.stage = c.old_stage THEN c.old_stage_date
                            ELSE %(today)s
                       END AS stage_date
                  FROM current c
            ), outcome AS (
                SELECT d.*,
                       CASE WHEN d.pinned THEN NULL
                            WHEN d.new_level IS NOT DISTINCT FROM d.old_level
                                 AND d.target_seq < d.old_seq
                                THEN COALESCE(d.below_since, %(today)s)
                       END AS new_below_since,
                       CASE WHEN d.new_level IS NOT DISTINCT FROM d.old_level THEN NULL
                            WHEN d.target_seq >= d.old_seq OR %(skip_grace)s
                                THEN 'rule'
                            ELSE 'grace'
                       END AS level_reason,
                       round(d.aov, 2) AS aov_rounded,
                       round(d.risk_days::numeric, 1) AS risk_days_rounded
                  FROM decided d
            ), f AS (
                -- only what is written: this one is materialised
                SELECT partner_id, profile_id, old_level, old_stage, level_reason,
                       old_values, %(sources)s
                  FROM outcome
            ), updated AS (
                UPDATE ecrm_profile pr
                   SET (%(columns)s, write_uid, write_date)
                       = (%(values)s, %(uid)s, now() at time zone 'UTC')
                  FROM f
                 WHERE pr.id = f.profile_id
                   -- unchanged profiles are not rewritten
                   AND f.old_values IS DISTINCT FROM ROW(%(typed)s)
             RETURNING %(changes)s
            ), created AS (
                -- a concurrent run may have created the profile meanwhile:
                -- its write stands, this one is dropped with its histories
                INSERT INTO ecrm_profile
                       (partner_id, company_id, %(columns)s,
                        create_uid, create_date, write_uid, write_date)
                SELECT f.partner_id, %(company)s, %(values)s,
                       %(uid)s, now() at time zone 'UTC',
                       %(uid)s, now() at time zone 'UTC'
                  FROM f
                 WHERE f.profile_id IS NULL
                    ON CONFLICT (partner_id, company_id) DO NOTHING
             RETURNING partner_id
            ), w AS (
                -- what was written (a join of the few rows written, not a
                -- sort of every customer's)
                SELECT * FROM updated
                 UNION ALL
                SELECT %(changes)s
                  FROM created
                  JOIN f USING (partner_id)
                 WHERE %(record_new)s
            ), level_history AS (
                INSERT INTO ecrm_level_history
                       (partner_id, company_id, date, from_level_id, to_level_id,
                        reason, user_id, create_uid, create_date, write_uid,
                        write_date)
                SELECT partner_id, %(company)s, now() at time zone 'UTC', old_level,
                       new_level, level_reason, %(uid)s, %(uid)s,
                       now() at time zone 'UTC', %(uid)s, now() at time zone 'UTC'
                  FROM w
                 WHERE level_reason IS NOT NULL
            ), stage_history AS (
                INSERT INTO ecrm_lifecycle_history
                       (partner_id, company_id, date, from_stage, to_stage,
                        create_uid, create_date, write_uid, write_date)
                SELECT partner_id, %(company)s, %(today)s, old_stage, stage,
                       %(uid)s, now() at time zone 'UTC', %(uid)s,
                       now() at time zone 'UTC'
                  FROM w
                 WHERE stage <> old_stage
            )
            SELECT partner_id, old_level, new_level, level_reason, old_stage, stage
              FROM w
             WHERE level_reason IS NOT NULL OR stage <> old_stage
            """,
            stats=stats,
            r=self._ecrm_score_sql("recency", cuts.get("r"), higher_is_better=False),
            f=self._ecrm_score_sql("frequency", cuts.get("f"), higher_is_better=True),
            m=self._ecrm_score_sql("monetary", cuts.get("m"), higher_is_better=True),
            level=self.env["ecrm.level"]._ecrm_rule_sql(company, today),
            predicted_clv=predicted_clv,
            curve=curve,
            today=today,
            grace_start=grace_start,
            skip_grace=bool(skip_grace),
            columns=columns,
            values=values,
            current=current,
            sources=sources,
            typed=typed,
            company=company.id,
            uid=self.env.uid,
            record_new=record_new,
            changes=SQL(
                "f.partner_id, f.old_level, f.new_level, f.level_reason,"
                " f.old_stage, f.stage"
            ),
        )
