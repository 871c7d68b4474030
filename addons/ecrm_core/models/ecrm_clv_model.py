# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging
import math
import time
from datetime import timedelta

import numpy as np

from odoo import api, fields, models
from odoo.tools import SQL

from ..tools import btyd
from ..tools.btyd_sql import predictive_sql

_logger = logging.getLogger(__name__)

MANAGER = "ecrm_core.group_ecrm_manager"
USER = "ecrm_core.group_ecrm_user"


class EcrmClvModel(models.Model):
    """One fit of the predictive customer value models of a company: BG/NBD
    (how many more orders, and is the customer still one) and Gamma-Gamma
    (what each order is worth). The latest fitted record of a company is the
    one in use (``res.company.ecrm_clv_model_id``). Formulas and sources: the
    addon's readme (DEVELOP) and ``ecrm_core.tools.btyd``.

    A *transaction* is a calendar day (UTC date of ``date_order``) with at
    least one confirmed order of the customer (commercial partner) in the
    company; its value is the untaxed amount of that day's orders in the
    company currency. Time is counted in days."""

    _name = "ecrm.clv.model"
    _description = "eCRM Predictive Customer Value Model"
    _order = "company_id, as_of desc, id desc"
    _rec_name = "as_of"

    company_id = fields.Many2one(
        "res.company", required=True, ondelete="cascade", index=True
    )
    as_of = fields.Date(
        required=True, help="Orders of this day and before are used by the fit."
    )
    state = fields.Selection(
        [
            ("fitted", "Fitted"),
            ("insufficient", "Not enough data"),
            ("failed", "Failed"),
        ],
        required=True,
        default="fitted",
    )
    message = fields.Text()
    duration = fields.Float(string="Duration (s)", digits=(16, 2))
    # BG/NBD (time unit: the day)
    r = fields.Float(digits=(16, 6))
    alpha = fields.Float(digits=(16, 6))
    a = fields.Float(digits=(16, 6))
    b = fields.Float(digits=(16, 6))
    # Gamma-Gamma (company currency)
    p = fields.Float(digits=(16, 6))
    q = fields.Float(digits=(16, 6))
    gamma = fields.Float(digits=(16, 6))
    customers = fields.Integer(help="Customers in the BG/NBD fit.")
    repeaters = fields.Integer(help="Customers in the Gamma-Gamma fit.")
    log_likelihood = fields.Float(
        digits=(16, 4), help="Log-likelihood of the BG/NBD fit (time in days)."
    )
    gg_log_likelihood = fields.Float(
        string="Gamma-Gamma log-likelihood", digits=(16, 4)
    )
    # What the dashboards show of the model, refreshed by each full run:
    # {"day", "revenue": {"30": .., "90": .., "365": ..}, "p_alive": [10 counts]}
    summary = fields.Json(readonly=True)
    # The model's accuracy on the company's own data (the papers' validation):
    # fitted as of as_of - the prediction horizon, compared with what the
    # customers did since. {"calibration_end", "rows": [{"repeat": "0".."7+",
    # "customers", "predicted", "actual"}], "predicted", "actual"} or
    # {"message"}.
    validation = fields.Json(readonly=True)
    # The horizons the profiles' figures are computed over, fixed at the fit
    # so that every figure of one model uses the same ones.
    prediction_horizon_days = fields.Integer(string="Prediction horizon (days)")
    clv_horizon_days = fields.Integer(string="CLV horizon (days)")

    def init(self):
        # E[orders in the horizon | alive, x, age] of the customers' current
        # (x, age) pairs, per model: the one part of the figures that needs the
        # hypergeometric function, which PostgreSQL has not. It depends on x
        # and the age only, so one row serves every customer of that pair, and
        # each day adds only the pairs one day older (see _ecrm_ensure_curve).
        self.env.cr.execute(
            """
            CREATE TABLE IF NOT EXISTS ecrm_clv_curve (
                model_id int NOT NULL
                    REFERENCES ecrm_clv_model (id) ON DELETE CASCADE,
                x int NOT NULL,
                age int NOT NULL,
                orders float8 NOT NULL,
                clv_orders float8 NOT NULL,
                PRIMARY KEY (model_id, x, age)
            )
            """
        )

    def _ecrm_params_sql(self):
        """The model's parameters as bound values, for ``predictive_sql``."""
        self.ensure_one()
        names = ("id", "r", "alpha", "a", "b", "p", "q", "gamma")
        params = {name: SQL("%s::float8", self[name]) for name in names}
        params["horizon"] = SQL("%s", self.prediction_horizon_days)
        return params

    def _ecrm_profile_figures_sql(self, profile, today):
        """The figures of the profile ``profile`` (an SQL identifier, e.g. in
        another addon's WHERE clause) with this model, as of ``today``: the
        curve read by subqueries, no join needed."""
        self.ensure_one()
        age = SQL("%s - %s.clv_first_day", today, profile)
        curve = {
            name: SQL(
                "(SELECT %s FROM ecrm_clv_curve cv WHERE cv.model_id = %s"
                " AND cv.x = %s.clv_x AND cv.age = %s)",
                SQL.identifier(name),
                self.id,
                profile,
                age,
            )
            for name in ("orders", "clv_orders")
        }
        history = {
            "x": SQL("%s.clv_x", profile),
            "first_day": SQL("%s.clv_first_day", profile),
            "last_day": SQL("%s.clv_last_day", profile),
            "value": SQL("%s.clv_repeat_value", profile),
        }
        return predictive_sql(history, self._ecrm_params_sql(), today, curve)

    @property
    def _bgnbd(self):
        return (self.r, self.alpha, self.a, self.b)

    @property
    def _gg(self):
        return (self.p, self.q, self.gamma)

    # ------------------------------------------------------------------
    # Sufficient statistics
    # ------------------------------------------------------------------

    @api.model
    def _ecrm_customers_sql(self, company, as_of, partner_ids=None):
        """Per customer of ``company`` with a transaction up to ``as_of``:
        partner_id, x, first and last transaction day, total value, value of
        the first transaction."""
        engine = self.env["ecrm.profile.engine"]
        only = SQL()
        if partner_ids is not None:
            only = SQL("AND so.ecrm_commercial_partner_id = ANY(%s)", partner_ids)
        return SQL(
            """
            WITH days AS (
                SELECT so.ecrm_commercial_partner_id AS partner_id,
                       so.date_order::date AS day,
                       sum(%(amount)s) AS value
                  FROM sale_order so
                 WHERE so.company_id = %(company)s
                   AND so.state = 'sale'
                   AND so.date_order < %(end)s
                   %(only)s
                 GROUP BY 1, 2
            )
            SELECT partner_id,
                   count(*) - 1 AS x,
                   min(day) AS first_day,
                   max(day) AS last_day,
                   sum(value) AS total,
                   (array_agg(value ORDER BY day))[1] AS first_value
              FROM days
             GROUP BY partner_id
            """,
            amount=engine._ecrm_amount_sql(),
            company=company.id,
            end=as_of + timedelta(days=1),
            only=only,
        )

    # ------------------------------------------------------------------
    # Fit
    # ------------------------------------------------------------------

    @api.model
    def _ecrm_fit(self, company, as_of=None):
        """Fit both models on the orders of ``company`` up to ``as_of`` (today
        by default) and return the new record: *fitted*, or *insufficient* /
        *failed* with a message saying why (never raises on the data)."""
        company = company.sudo()
        as_of = as_of or self.env["ecrm.profile.engine"]._ecrm_today(company)
        started = time.monotonic()
        values = {
            "company_id": company.id,
            "as_of": as_of,
            "prediction_horizon_days": company.ecrm_prediction_horizon_days,
            "clv_horizon_days": round(company.ecrm_clv_horizon_years * 365),
        }
        self.env.flush_all()
        cr = self.env.cr
        # one scan of the orders for both models: the BG/NBD rows compressed
        # to distinct (x, t_x, T), the Gamma-Gamma rows to distinct (x, mean
        # value of the repeat transactions: the first is left out, as in the
        # paper), each with its number of customers
        cr.execute(
            SQL(
                """
                WITH c AS MATERIALIZED (%(customers)s)
                SELECT TRUE, x, last_day - first_day, %(as_of)s - first_day, count(*)
                  FROM c
                 GROUP BY 2, 3, 4
                 UNION ALL
                SELECT FALSE, x, (total - first_value) / x, NULL, count(*)
                  FROM c
                 WHERE x > 0 AND total - first_value > 0
                 GROUP BY 2, 3
                """,
                customers=self._ecrm_customers_sql(company, as_of),
                as_of=as_of,
            )
        )
        rows = cr.fetchall()
        bgnbd_rows = np.array([row[1:] for row in rows if row[0]], dtype=float)
        gg_rows = np.array(
            [(row[1], row[2], row[4]) for row in rows if not row[0]], dtype=float
        )
        bgnbd_rows = bgnbd_rows.reshape(-1, 4)
        gg_rows = gg_rows.reshape(-1, 3)
        n_customers = int(bgnbd_rows[:, 3].sum())
        values.update(customers=n_customers, repeaters=int(gg_rows[:, 2].sum()))
        values.update(self._ecrm_fit_values(company, bgnbd_rows, gg_rows))
        values["duration"] = time.monotonic() - started
        model = self.sudo().create(values)
        if model.state == "fitted":
            company.ecrm_clv_model_id = model
            # the curves of the company's earlier models serve nobody now
            cr.execute(
                SQL(
                    """
                    DELETE FROM ecrm_clv_curve
                     WHERE model_id IN (SELECT id FROM ecrm_clv_model
                                         WHERE company_id = %s AND id <> %s)
                    """,
                    company.id,
                    model.id,
                )
            )
        _logger.info(
            "eCRM CLV model of %s as of %s: %s in %.2f s (%s)",
            company.name,
            as_of,
            model.state,
            model.duration,
            model.message or "",
        )
        return model

    @api.model
    def _ecrm_fit_due(self, company):
        """Refit ``company``'s model when its last fit is ``ecrm_clv_refit_days``
        old (the nightly run). An unexpected error is recorded as a failed fit:
        it never stops the run, which keeps the previous model."""
        company = company.sudo()
        if not company.ecrm_clv_refit_days:
            return
        today = self.env["ecrm.profile.engine"]._ecrm_today(company)
        last = self.sudo().search([("company_id", "=", company.id)], limit=1)
        if last and (today - last.as_of).days < company.ecrm_clv_refit_days:
            return
        self._ecrm_fit_safely(company, today)

    @api.model
    def _ecrm_fit_safely(self, company, today):
        """Fit and check the model of ``company``; an unexpected error is
        recorded as a failed fit: it never stops a run, which keeps the
        previous model."""
        try:
            with self.env.cr.savepoint():
                model = self._ecrm_fit(company, today)
                if model.state == "fitted":
                    model._ecrm_validate()
                return model
        except Exception as error:  # pylint: disable=broad-except
            _logger.exception("eCRM CLV fit of %s failed", company.name)
            return self.sudo().create(
                {
                    "company_id": company.id,
                    "as_of": today,
                    "state": "failed",
                    "message": str(error),
                }
            )

    @api.model
    def _ecrm_cron_fit(self):
        """Fit the models asked for from the settings, one company per call
        (Odoo's batch protocol), then score its customers with it."""
        Company = self.env["res.company"].sudo()
        pending = Company.search([("ecrm_clv_fit_requested", "=", True)], order="id")
        if not pending:
            return
        company = pending[0]
        engine = self.env["ecrm.profile.engine"]
        today = engine._ecrm_today(company)
        model = self._ecrm_fit_safely(company, today)
        if model.state == "fitted":
            engine._ecrm_clv_curve(company)
            model._ecrm_summarise(today)
        company.ecrm_clv_fit_requested = False
        self.env["ir.cron"]._notify_progress(done=1, remaining=len(pending) - 1)

    @api.model
    def _ecrm_fit_values(self, company, bgnbd_rows, gg_rows):
        """The fitted parameters, or the state and message saying why not."""
        n_customers = int(bgnbd_rows[:, 3].sum())
        repeaters = int(gg_rows[:, 2].sum())
        if (
            n_customers < company.ecrm_clv_min_customers
            or repeaters < company.ecrm_clv_min_repeaters
        ):
            return {
                "state": "insufficient",
                "message": self.env._(
                    "%(customers)s customers and %(repeaters)s repeat customers "
                    "with a positive value: the fit needs at least %(min_customers)s "
                    "and %(min_repeaters)s. The rules of thumb stay in use.",
                    customers=n_customers,
                    repeaters=repeaters,
                    min_customers=company.ecrm_clv_min_customers,
                    min_repeaters=company.ecrm_clv_min_repeaters,
                ),
            }
        x, t_x, T, weights = bgnbd_rows.T
        (r, alpha, a, b), ll, result = btyd.bgnbd_fit(x, t_x, T, weights)
        (p, q, gamma), gg_ll, gg_result = btyd.gg_fit(*gg_rows.T)
        params = (r, alpha, a, b, p, q, gamma, ll, gg_ll)
        problem = None
        if not (result.success and gg_result.success):
            problem = self.env._(
                "The optimiser did not converge: %(message)s.",
                message=result.message if not result.success else gg_result.message,
            )
        elif not all(math.isfinite(v) for v in params):
            problem = self.env._("The fit gave a non-finite parameter.")
        elif q <= 1:
            # E[M] = gamma * p / (q - 1) has no finite mean otherwise
            problem = self.env._(
                "The spend model has no finite mean (q = %(q)s <= 1): order "
                "values are too dispersed.",
                q=round(q, 4),
            )
        elif abs(a - 1) < 1e-6:
            problem = self.env._("The dropout model is degenerate (a = 1).")
        if problem:
            return {"state": "failed", "message": problem}
        return {
            "state": "fitted",
            "r": r,
            "alpha": alpha,
            "a": a,
            "b": b,
            "p": p,
            "q": q,
            "gamma": gamma,
            "log_likelihood": ll,
            "gg_log_likelihood": gg_ll,
        }

    def _ecrm_validate(self):
        """Fit the model as of ``as_of`` minus the prediction horizon and
        compare, by number of repeat transactions in that calibration period
        (0 to 7+), the repeat transactions it predicts in the horizon with
        those the customers made (Fader, Hardie & Lee 2005, figure 4)."""
        self.ensure_one()
        horizon = self.prediction_horizon_days
        end = self.as_of - timedelta(days=horizon)
        cr = self.env.cr
        cr.execute(
            SQL(
                """
                WITH days AS (
                    SELECT so.ecrm_commercial_partner_id AS partner_id,
                           so.date_order::date AS day
                      FROM sale_order so
                     WHERE so.company_id = %(company)s
                       AND so.state = 'sale'
                       AND so.date_order < %(stop)s
                     GROUP BY 1, 2
                ), customers AS (
                    SELECT count(*) FILTER (WHERE day <= %(end)s) - 1 AS x,
                           max(day) FILTER (WHERE day <= %(end)s)
                               - min(day) AS t_x,
                           %(end)s - min(day) AS t,
                           count(*) FILTER (WHERE day > %(end)s) AS actual
                      FROM days
                     GROUP BY partner_id
                    HAVING min(day) <= %(end)s
                )
                SELECT x, t_x, t, actual, count(*) FROM customers GROUP BY 1, 2, 3, 4
                """,
                company=self.company_id.id,
                end=end,
                stop=self.as_of + timedelta(days=1),
            )
        )
        rows = np.array(cr.fetchall(), dtype=float).reshape(-1, 5)
        x, t_x, T, actual, weights = rows.T
        company = self.company_id
        if weights.sum() < company.ecrm_clv_min_customers:
            self.validation = {
                "message": self.env._(
                    "Too little history before %(day)s to check the model "
                    "(a fit %(days)s days back).",
                    day=end,
                    days=horizon,
                )
            }
            return
        params, _ll, result = btyd.bgnbd_fit(x, t_x, T, weights)
        predicted = btyd.bgnbd_expected_orders(params, x, t_x, T, horizon)
        bucket = np.minimum(x, 7)
        table = []
        for k in range(8):
            mask = bucket == k
            n = weights[mask].sum()
            if not n:
                continue
            table.append(
                {
                    "repeat": f"{k}+" if k == 7 else str(k),
                    "customers": int(n),
                    "predicted": float((weights * predicted)[mask].sum() / n),
                    "actual": float((weights * actual)[mask].sum() / n),
                }
            )
        self.validation = {
            "calibration_end": str(end),
            "converged": bool(result.success),
            "rows": table,
            "predicted": float((weights * predicted).sum()),
            "actual": float((weights * actual).sum()),
        }

    def _ecrm_summarise(self, today):
        """Refresh the figures the dashboards show: the revenue the model
        expects in the next 30, 90 and 365 days, and the distribution of
        P(alive), over every customer of the company (one grouped scan)."""
        self.ensure_one()
        cr = self.env.cr
        cr.execute(
            SQL(
                """
                SELECT clv_x, clv_last_day - clv_first_day, %s - clv_first_day,
                       count(*), sum(COALESCE(clv_repeat_value, 0))
                  FROM ecrm_profile
                 WHERE company_id = %s AND clv_first_day IS NOT NULL
                 GROUP BY 1, 2, 3
                """,
                today,
                self.company_id.id,
            )
        )
        rows = np.array(cr.fetchall(), dtype=float).reshape(-1, 5)
        x, t_x, T, n, value_sum = rows.T
        alive = btyd.bgnbd_p_alive(self._bgnbd, x, t_x, T)
        # E[M] is linear in the customer's mean value: the group's sum serves
        p, q, gamma = self._gg
        value = (gamma * n + x * value_sum) * p / (p * x + q - 1)
        revenue = {
            str(days): float(
                (alive * btyd.bgnbd_alive_orders(self._bgnbd, x, T, days) * value).sum()
            )
            for days in (30, 90, 365)
        }
        histogram = np.histogram(alive, bins=10, range=(0, 1), weights=n)[0]
        self.summary = {
            "day": str(today),
            "customers": int(n.sum()),
            "revenue": revenue,
            "p_alive": [int(count) for count in histogram],
        }

    # ------------------------------------------------------------------
    # Scores
    # ------------------------------------------------------------------

    def _ecrm_figures(self, x, t_x, T, value, horizon_days):
        """The four figures of customers given as arrays, at their T."""
        self.ensure_one()
        p_alive = btyd.bgnbd_p_alive(self._bgnbd, x, t_x, T)
        orders = p_alive * btyd.bgnbd_alive_orders(self._bgnbd, x, T, horizon_days)
        order_value = btyd.gg_expected_value(self._gg, x, value)
        next_days = btyd.bgnbd_median_next(self._bgnbd, x, t_x, T)
        return p_alive, orders, order_value, next_days

    def _ecrm_score(self, partners, horizon_days):
        """{partner_id: {"p_alive", "expected_orders", "expected_order_value",
        "next_order_days"}} of these customers (their commercial partners)
        with a transaction up to the model's ``as_of``, computed at ``as_of``
        from their orders; ``next_order_days`` is None when P(alive) <= 1/2."""
        self.ensure_one()
        ids = list(set(partners.commercial_partner_id.ids))
        self.env.flush_all()
        self.env.cr.execute(self._ecrm_customers_sql(self.company_id, self.as_of, ids))
        rows = self.env.cr.fetchall()
        if not rows:
            return {}
        partner_ids = [row[0] for row in rows]
        x = np.array([row[1] for row in rows], dtype=float)
        t_x = np.array([(row[3] - row[2]).days for row in rows], dtype=float)
        T = np.array([(self.as_of - row[2]).days for row in rows], dtype=float)
        value = np.array(
            [float(row[4] - row[5]) / row[1] if row[1] else 0.0 for row in rows]
        )
        p_alive, orders, order_value, next_days = self._ecrm_figures(
            x, t_x, T, value, horizon_days
        )
        return {
            partner_id: {
                "p_alive": float(p_alive[i]),
                "expected_orders": float(orders[i]),
                "expected_order_value": float(order_value[i]),
                "next_order_days": None
                if np.isnan(next_days[i])
                else float(next_days[i]),
            }
            for i, partner_id in enumerate(partner_ids)
        }

    def _ecrm_ensure_curve(self, pairs):
        """Add the missing (x, age) pairs of ``pairs`` (an SQL query of two int
        columns) to the model's curve."""
        self.ensure_one()
        cr = self.env.cr
        cr.execute(
            SQL(
                """
                SELECT x, age FROM (%s) p (x, age)
                 WHERE x >= 0 AND age >= 0
                EXCEPT
                SELECT x, age FROM ecrm_clv_curve WHERE model_id = %s
                """,
                pairs,
                self.id,
            )
        )
        missing = np.array(cr.fetchall(), dtype=float).reshape(-1, 2)
        if not len(missing):
            return
        x, age = missing.T
        orders = btyd.bgnbd_alive_orders(
            self._bgnbd, x, age, self.prediction_horizon_days
        )
        clv_orders = btyd.bgnbd_alive_orders(self._bgnbd, x, age, self.clv_horizon_days)
        cr.execute(
            SQL(
                """
                INSERT INTO ecrm_clv_curve (model_id, x, age, orders, clv_orders)
                SELECT %s, unnest(%s::int[]), unnest(%s::int[]),
                       unnest(%s::float8[]), unnest(%s::float8[])
                    ON CONFLICT DO NOTHING
                """,
                self.id,
                x.astype(int).tolist(),
                age.astype(int).tolist(),
                orders.tolist(),
                clv_orders.tolist(),
            )
        )
