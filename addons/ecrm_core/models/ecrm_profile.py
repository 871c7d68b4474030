# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging
from datetime import date, timedelta

import numpy as np

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..tools import btyd
from ..tools.btyd_sql import predictive_sql
from .ecrm_profile_engine import LevelChange
from .ecrm_selection import LIFECYCLE_STAGES, RFM_SEGMENTS

_logger = logging.getLogger(__name__)


class EcrmProfile(models.Model):
    """The eCRM profile of a customer (a commercial partner) in one company.

    A narrow table of its own rather than columns of ``res_partner``: the
    engine (``ecrm.profile.engine``) rewrites the profiles of all
    customers in one statement, which is cheap on a few short rows and costly
    on the wide, heavily indexed partner table. The partner shows the profile
    of the current company through related fields (``ecrm_level_id``, ...)
    that can be searched, sorted and grouped like stored ones; nothing is
    written on the partner."""

    _name = "ecrm.profile"
    _description = "eCRM Customer Profile"
    _rec_name = "partner_id"
    _order = "id"

    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, ondelete="cascade"
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        ondelete="cascade",
        default=lambda self: self.env.company,
    )
    level_id = fields.Many2one(
        "ecrm.level",
        string="eCRM Level",
        ondelete="restrict",
        index=True,
        check_company=True,
    )
    level_pinned = fields.Boolean(
        string="Level pinned",
        help="A pinned level is set by hand and never recomputed by the rules.",
    )
    level_pin_reason = fields.Char(string="Pin reason")
    level_below_since = fields.Date(
        string="Below level rule since",
        help="First day the customer stopped meeting their level's rule; they "
        "are downgraded when the grace period of the settings is over.",
    )
    lifecycle_stage = fields.Selection(
        LIFECYCLE_STAGES, string="Lifecycle stage", index=True
    )
    lifecycle_date = fields.Date(string="In stage since")
    first_order_date = fields.Date(string="First order")
    last_order_date = fields.Date(string="Last order")
    order_count = fields.Integer(string="Orders (all time)")
    # Recency and churn risk move every day: derived when read, not stored, so
    # that the nightly recompute rewrites only the profiles that changed.
    recency_days = fields.Integer(
        string="Recency (days)",
        compute="_compute_recency",
        search="_search_recency_days",
    )
    risk_days = fields.Float(
        string="At risk after (days)",
        digits=(16, 1),
        help="Days without an order after which the customer is at risk: the "
        "at-risk factor times their usual interval between orders, or the "
        "acquisition period for one-time buyers.",
    )
    frequency = fields.Integer(help="Confirmed orders over the eCRM window.")
    currency_id = fields.Many2one(related="company_id.currency_id")
    monetary = fields.Monetary(
        help="Net untaxed revenue over the eCRM window, in the company currency.",
    )
    r_score = fields.Integer(string="R score")
    f_score = fields.Integer(string="F score")
    m_score = fields.Integer(string="M score")
    rfm_segment = fields.Selection(RFM_SEGMENTS, string="RFM segment")
    aov = fields.Monetary(string="Average order value")
    clv = fields.Monetary(
        string="CLV (rules of thumb)",
        help="Historical net revenue plus average order value x orders a year x "
        "horizon, halved at risk and nothing once churned: the CLV while the "
        "company has no predictive model.",
    )
    historical_revenue = fields.Monetary(
        help="Untaxed revenue of the confirmed orders, less the credit notes "
        "of their invoices, never below zero."
    )
    # The customer's purchase history as the predictive model sees it: they
    # change only with the orders, so the engine writes them only then; the
    # figures below are derived from them when read (time moves every day).
    clv_x = fields.Integer(string="Repeat transactions")
    clv_first_day = fields.Date(string="First transaction (UTC)")
    clv_last_day = fields.Date(string="Last transaction (UTC)")
    clv_repeat_value = fields.Monetary(string="Mean repeat transaction value")
    churn_risk = fields.Float(
        string="Churn risk (%)",
        digits=(5, 1),
        compute="_compute_recency",
        search="_search_churn_risk",
        help="With a predictive model: the probability of no order within the "
        "prediction horizon. Otherwise days without an order against the "
        "customer's usual interval.",
    )
    p_alive = fields.Float(
        string="P(alive)",
        compute="_compute_predictive",
        search="_search_p_alive",
        help="Probability that the customer has not silently left (BG/NBD). It "
        "is 1 for one-time buyers: the model lets a customer leave only after "
        "a repeat purchase. Read the churn risk for the chance of an order.",
    )
    expected_orders = fields.Float(
        compute="_compute_predictive",
        search="_search_expected_orders",
        help="Orders (order days) expected within the prediction horizon.",
    )
    predicted_clv = fields.Monetary(
        string="Predicted CLV",
        compute="_compute_predictive",
        search="_search_predicted_clv",
        help="Expected revenue within the CLV horizon: expected orders times "
        "the expected order value (Gamma-Gamma), undiscounted.",
    )
    clv_total = fields.Monetary(
        string="Customer lifetime value",
        compute="_compute_predictive",
        search="_search_clv_total",
        help="Historical net revenue plus the predicted CLV; the rules of thumb "
        "while the company has no predictive model.",
    )
    next_order_date = fields.Date(
        compute="_compute_predictive",
        search="_search_next_order_date",
        help="Median date of the next order; empty when another order is less "
        "likely than not, or beyond the prediction horizon.",
    )

    _check_company_auto = True
    _sql_constraints = [
        (
            "partner_company_uniq",
            "unique(partner_id, company_id)",
            "A customer has one eCRM profile per company.",
        ),
    ]

    @api.depends(
        "last_order_date",
        "risk_days",
        "company_id.ecrm_churn_days",
        "company_id.ecrm_clv_model_id",
        "clv_x",
        "clv_first_day",
        "clv_last_day",
    )
    def _compute_recency(self):
        predicted = self._ecrm_predict()
        for profile in self:
            if profile.id in predicted:
                profile.recency_days = profile._ecrm_recency()
                profile.churn_risk = round(predicted[profile.id]["churn"] * 100, 1)
                continue
            if not profile.last_order_date:
                profile.recency_days = profile.churn_risk = 0
                continue
            recency = profile._ecrm_recency()
            profile.recency_days = recency
            if recency >= profile.company_id.ecrm_churn_days:
                profile.churn_risk = 100.0
            else:
                risk = min(recency / (profile.risk_days or 1), 1.0)
                profile.churn_risk = round(risk * 100, 1)

    def _ecrm_recency(self):
        if not self.last_order_date:
            return 0
        today = self.env["ecrm.profile.engine"]._ecrm_today(self.company_id)
        return (today - self.last_order_date).days

    @api.depends(
        "company_id.ecrm_clv_model_id",
        "clv_x",
        "clv_first_day",
        "clv_last_day",
        "clv_repeat_value",
        "historical_revenue",
        "clv",
    )
    def _compute_predictive(self):
        predicted = self._ecrm_predict()
        for profile in self:
            figures = predicted.get(profile.id)
            if not figures:
                profile.p_alive = profile.expected_orders = 0.0
                profile.predicted_clv = 0.0
                profile.next_order_date = False
                profile.clv_total = profile.clv
                continue
            profile.p_alive = figures["p_alive"]
            profile.expected_orders = figures["orders"]
            profile.predicted_clv = figures["clv"]
            profile.clv_total = profile.historical_revenue + figures["clv"]
            profile.next_order_date = figures["next_order_date"]

    def _ecrm_predict(self):
        """{profile id: figures} of the profiles of ``self`` whose company has
        a predictive model and who have a transaction, at today (company time
        zone), computed with numpy for the whole recordset."""
        result = {}
        engine = self.env["ecrm.profile.engine"]
        for company, profiles in self.sudo().grouped("company_id").items():
            model = company.ecrm_clv_model_id
            profiles = profiles.filtered("clv_first_day")
            if not model or not profiles:
                continue
            today = engine._ecrm_today(company)
            x = np.array(profiles.mapped("clv_x"), dtype=float)
            first = profiles.mapped("clv_first_day")
            t_x = np.array(
                [
                    (last - f).days
                    for last, f in zip(
                        profiles.mapped("clv_last_day"), first, strict=True
                    )
                ],
                dtype=float,
            )
            T = np.array([(today - f).days for f in first], dtype=float)
            value = np.array(profiles.mapped("clv_repeat_value"), dtype=float)
            horizon = model.prediction_horizon_days
            p_alive, orders, order_value, next_days = model._ecrm_figures(
                x, t_x, T, value, horizon
            )
            clv_orders = p_alive * btyd.bgnbd_alive_orders(
                model._bgnbd, x, T, model.clv_horizon_days
            )
            churn = btyd.bgnbd_no_order_probability(model._bgnbd, x, t_x, T, horizon)
            for i, profile in enumerate(profiles):
                days = next_days[i]
                result[profile.id] = {
                    "p_alive": float(p_alive[i]),
                    "orders": float(orders[i]),
                    "clv": float(clv_orders[i] * order_value[i]),
                    "churn": float(churn[i]),
                    "next_order_date": today + timedelta(days=round(days))
                    if not np.isnan(days) and days <= horizon
                    else False,
                }
        return result

    # ------------------------------------------------------------------
    # The predictive figures in SQL (search, order, group by)
    # ------------------------------------------------------------------

    PREDICTIVE_FIELDS = (
        "churn_risk",
        "p_alive",
        "expected_orders",
        "predicted_clv",
        "clv_total",
        "next_order_date",
    )

    def _field_to_sql(self, alias, fname, query=None, flush=True):
        if fname not in self.PREDICTIVE_FIELDS or query is None:
            return super()._field_to_sql(alias, fname, query, flush)
        self.check_field_access_rights("read", [fname])
        return self._ecrm_predictive_sql(alias, query)[fname]

    def _ecrm_predictive_sql(self, alias, query):
        """SQL expressions of the figures of the profile ``alias``, the same as
        ``_ecrm_predict`` computes (a test compares them). The part needing
        the hypergeometric function comes from the model's curve, which each
        run fills for today and tomorrow."""
        today = self.env["ecrm.profile.engine"]._ecrm_today(self.env.company)
        self.env["res.company"].flush_model(["ecrm_clv_model_id", "ecrm_churn_days"])
        self.flush_model()

        def col(name):
            return SQL.identifier(alias, name)

        company = query.make_alias(alias, "ecrm_company")
        query.add_join(
            "JOIN",
            company,
            "res_company",
            SQL("%s = %s", SQL.identifier(company, "id"), col("company_id")),
        )
        model = query.make_alias(alias, "ecrm_clv_model")
        query.add_join(
            "LEFT JOIN",
            model,
            "ecrm_clv_model",
            SQL(
                "%s = %s",
                SQL.identifier(model, "id"),
                SQL.identifier(company, "ecrm_clv_model_id"),
            ),
        )
        curve = query.make_alias(alias, "ecrm_clv_curve")
        query.add_join(
            "LEFT JOIN",
            curve,
            "ecrm_clv_curve",
            SQL(
                "%s = %s AND %s = %s AND %s = %s - %s",
                SQL.identifier(curve, "model_id"),
                SQL.identifier(model, "id"),
                SQL.identifier(curve, "x"),
                col("clv_x"),
                SQL.identifier(curve, "age"),
                today,
                col("clv_first_day"),
            ),
        )
        params = {
            name: SQL.identifier(model, name)
            for name in ("id", "r", "alpha", "a", "b", "p", "q", "gamma")
        }
        params["horizon"] = SQL.identifier(model, "prediction_horizon_days")
        history = {
            "x": col("clv_x"),
            "first_day": col("clv_first_day"),
            "last_day": col("clv_last_day"),
            "value": col("clv_repeat_value"),
        }
        # P(alive) once per row: every other figure reads it
        lateral = query.make_alias(alias, "ecrm_p_alive")
        query.add_join(
            "LEFT JOIN",
            lateral,
            SQL(
                "LATERAL (SELECT %s AS p_alive)",
                predictive_sql(history, params, today)["p_alive"],
            ),
            SQL("TRUE"),
        )
        p_alive = SQL.identifier(lateral, "p_alive")
        figures = predictive_sql(history, params, today, curve, p_alive)
        recency = SQL("(%s - %s)", today, col("last_order_date"))
        rule_churn = SQL(
            "CASE WHEN %(last)s IS NULL THEN 0"
            " WHEN %(recency)s >= %(churn)s THEN 100"
            " ELSE round((100 * LEAST(%(recency)s / COALESCE(NULLIF(%(risk)s, 0), 1),"
            " 1))::numeric, 1) END",
            last=col("last_order_date"),
            recency=recency,
            churn=SQL.identifier(company, "ecrm_churn_days"),
            risk=col("risk_days"),
        )
        return {
            "p_alive": p_alive,
            "expected_orders": figures["orders"],
            "predicted_clv": figures["clv"],
            "churn_risk": SQL(
                "CASE WHEN %s IS NULL THEN %s ELSE round((100 * %s)::numeric, 1) END",
                p_alive,
                rule_churn,
                figures["no_order"],
            ),
            "clv_total": SQL(
                "CASE WHEN %s IS NULL THEN %s ELSE %s + %s END",
                p_alive,
                col("clv"),
                col("historical_revenue"),
                figures["clv"],
            ),
            "next_order_date": SQL(
                "CASE WHEN %(days)s <= %(h)s THEN %(today)s + round(%(days)s)::int END",
                days=figures["next_days"],
                h=params["horizon"],
                today=today,
            ),
        }

    def _ecrm_search_predictive(self, fname, operator, value):
        if operator not in ("<", "<=", ">", ">=", "=", "!="):
            raise UserError(
                self.env._("Predictive figures can only be compared with a value.")
            )
        if isinstance(value, bool) or not isinstance(value, (int, float, str, date)):
            raise UserError(
                self.env._("Predictive figures can only be compared with a value.")
            )
        query = self._search([])
        expression = self._field_to_sql(query.table, fname, query)
        query.add_where(SQL("%s %s %s", expression, SQL(operator), value))
        return [("id", "in", query)]

    def _search_churn_risk(self, operator, value):
        return self._ecrm_search_predictive("churn_risk", operator, value)

    def _search_p_alive(self, operator, value):
        return self._ecrm_search_predictive("p_alive", operator, value)

    def _search_expected_orders(self, operator, value):
        return self._ecrm_search_predictive("expected_orders", operator, value)

    def _search_predicted_clv(self, operator, value):
        return self._ecrm_search_predictive("predicted_clv", operator, value)

    def _search_clv_total(self, operator, value):
        return self._ecrm_search_predictive("clv_total", operator, value)

    def _search_next_order_date(self, operator, value):
        return self._ecrm_search_predictive("next_order_date", operator, value)

    def _search_recency_days(self, operator, value):
        # recency > n days  <=>  last order before today - n days
        mirrored = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "=": "=", "!=": "!="}
        if (
            operator not in mirrored
            or isinstance(value, bool)
            or not isinstance(value, int)
        ):
            raise UserError(
                self.env._("Recency can only be compared with a number of days.")
            )
        today = self.env["ecrm.profile.engine"]._ecrm_today(self.env.company)
        day = today - timedelta(days=value)
        return [("last_order_date", mirrored[operator], day)]

    def init(self):
        # Room on each page lets the nightly rewrite of the profiles that
        # changed be HOT updates, which leave the indexes alone.
        self.env.cr.execute("ALTER TABLE ecrm_profile SET (fillfactor = 70)")

    # ------------------------------------------------------------------
    # Recompute API (the engine is ``ecrm.profile.engine``)
    # ------------------------------------------------------------------

    @api.model
    def _ecrm_recompute(self, partners, skip_grace=False):
        """Recompute these customers (their commercial partners) in the current
        company; scores are placed within the stored quintile boundaries."""
        return self.env["ecrm.profile.engine"]._ecrm_run(
            self.env.company, partners.commercial_partner_id.ids, skip_grace
        )

    @api.model
    def _ecrm_recompute_all(self, skip_grace=False):
        """Recompute every customer of the current company and refresh the RFM
        quintile boundaries (downgrades at once with ``skip_grace``)."""
        self.env["ecrm.profile.engine"]._ecrm_run(
            self.env.company, skip_grace=skip_grace
        )

    @api.model
    def _ecrm_cron_recompute(self):
        """The scheduled recompute: one company per call (Odoo's batch
        protocol), the companies not run yet in this round first. A company
        whose run fails is logged, reported on the company and skipped: it
        never makes the others run again."""
        lastcall = self.env.context.get("lastcall")
        domain = [("ecrm_last_run", "=", False)]
        if lastcall:
            domain = ["|", *domain, ("ecrm_last_run", "<", lastcall)]
        Company = self.env["res.company"].sudo()
        pending = Company.search(domain, order="ecrm_last_run, id")
        if not pending:
            return
        company = pending[0]
        error = False
        try:
            with self.env.cr.savepoint():
                self.env["ecrm.clv.model"]._ecrm_fit_due(company)
                self.with_company(company)._ecrm_recompute_all()
        except Exception as exc:  # pylint: disable=broad-except
            _logger.exception("eCRM recompute of company %s failed", company.name)
            error = str(exc)
        company.write(
            {"ecrm_last_run": fields.Datetime.now(), "ecrm_last_run_error": error}
        )
        self.env["ir.cron"]._notify_progress(done=1, remaining=len(pending) - 1)

    # ------------------------------------------------------------------
    # Levels set by hand
    # ------------------------------------------------------------------

    @api.model
    def _ecrm_pin_level(self, partners, level, reason):
        """Pin ``level`` on these customers (their commercial partners) in the
        current company: the rules no longer change it."""
        self.check_access("write")
        company = self.env.company
        changes = []
        for partner in partners.commercial_partner_id:
            profile = partner.ecrm_profile_id or self.create(
                {"partner_id": partner.id, "lifecycle_stage": "selection"}
            )
            old_level = profile.level_id
            profile.write(
                {
                    "level_id": level.id,
                    "level_pinned": True,
                    "level_pin_reason": reason,
                    "level_below_since": False,
                }
            )
            # the histories are written by the engine only (append-only)
            self.env["ecrm.level.history"].sudo().create(
                {
                    "user_id": self.env.uid,
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "from_level_id": old_level.id,
                    "to_level_id": level.id,
                    "reason": "manual",
                    "note": reason,
                }
            )
            partner._message_log(
                body=self.env["ecrm.level.history"]._ecrm_change_body(
                    old_level, level, reason
                )
            )
            if old_level != level:
                changes.append(LevelChange(partner.id, old_level.id or None, level.id))
        if changes:
            self.env["ecrm.profile.engine"]._ecrm_post_run(company, changes, [])

    @api.model
    def _ecrm_unpin_level(self, partners):
        """Give these customers back to the rules, at once, without grace."""
        self.check_access("write")
        partners = partners.commercial_partner_id
        partners.ecrm_profile_id.write(
            {"level_pinned": False, "level_pin_reason": False}
        )
        self._ecrm_recompute(partners, skip_grace=True)
