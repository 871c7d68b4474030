# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import ast
import logging
from datetime import date, timedelta

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

TRIGGERS = [
    ("purchase_history", "Past purchases"),
    ("win_back", "Win-back"),
    ("level_upgrade", "Level upgrade"),
    ("cross_sell", "Cross-sell"),
    ("abandoned_cart", "Abandoned cart"),
    ("referral", "Referral"),
]
PRODUCT_TRIGGERS = ("purchase_history", "cross_sell")
# writing one of these makes the writer the user the audience filter runs as
PREDICTIVE_FILTERS = (
    "churn_risk_min",
    "churn_risk_max",
    "p_alive_min",
    "p_alive_max",
    "predicted_clv_min",
)
AUDIENCE_AUTHOR_FIELDS = {"audience_domain", "company_id"}

_logger = logging.getLogger(__name__)


class EcrmCouponRule(models.Model):
    """A coupon campaign: who gets a coupon (trigger and audience), which
    coupon (a program of type coupons: the reward and its validity), how often
    (one per customer and period) and how it went (results against a random
    control group). Issuance lives in ``ecrm.coupon.engine``."""

    _name = "ecrm.coupon.rule"
    _description = "eCRM Coupon Rule"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    trigger = fields.Selection(TRIGGERS, required=True, default="purchase_history")
    program_id = fields.Many2one(
        "loyalty.program",
        string="Coupon program",
        required=True,
        check_company=True,
        domain="[('program_type', '=', 'coupons')]",
        help="The coupon program that holds the reward; its coupons are valid "
        "for the program's validity from their issue.",
    )
    validity_days = fields.Integer(
        string="Valid for (days)",
        default=30,
        help="Each coupon expires this many days after it is issued (0: never).",
    )
    period_days = fields.Integer(
        string="Period (days)",
        default=30,
        required=True,
        help="At most one coupon per customer and rule in each period.",
    )
    lookback_days = fields.Integer(
        string="Look back (days)",
        default=90,
        help="Past purchases: the orders of the last days that decide the "
        "coupon's products. Cross-sell: how long after the order the "
        "accessories are offered.",
    )
    control_percent = fields.Integer(
        string="Control group (%)",
        help="Share of the audience drawn at random each period that gets no "
        "coupon, to measure the incremental revenue of the rule.",
    )
    max_per_run = fields.Integer(
        string="Max coupons per period",
        help="Stop issuing once this many customers were drawn in the period "
        "(0: no limit).",
    )
    mail_template_id = fields.Many2one(
        "mail.template",
        string="Email template",
        domain="[('model', '=', 'loyalty.card')]",
        default=lambda self: self.env.ref(
            "ecrm_loyalty.mail_template_ecrm_coupon", raise_if_not_found=False
        ),
        help="Queued for each coupon to the customers who accept emails; "
        "without a template the coupon is only shown in the portal.",
    )
    reminder_hours = fields.Float(
        string="Reminder after (hours)",
        default=1.0,
        help="Abandoned cart: a website cart idle this long gets the website's "
        "cart recovery email (once, shared with the website's own reminder).",
    )
    coupon_hours = fields.Float(
        string="Coupon after (hours)",
        default=24.0,
        help="Abandoned cart: still idle this long, the customer gets a coupon.",
    )
    count_viewed_products = fields.Boolean(
        help="Past purchases and cross-sell: also offer the products the "
        "customer viewed several times on the website without buying them.",
    )
    min_views = fields.Integer(string="Minimum views", default=3)
    # audience (all optional, combined with AND)
    level_ids = fields.Many2many("ecrm.level", string="Levels")
    lifecycle_stage_ids = fields.Many2many(
        "ecrm.audience.tag",
        "ecrm_coupon_rule_stage_rel",
        "rule_id",
        "tag_id",
        string="Lifecycle stages",
        domain=[("kind", "=", "lifecycle_stage")],
    )
    rfm_segment_ids = fields.Many2many(
        "ecrm.audience.tag",
        "ecrm_coupon_rule_segment_rel",
        "rule_id",
        "tag_id",
        string="RFM segments",
        domain=[("kind", "=", "rfm_segment")],
    )
    # the company's predictive model (ecrm_core): e.g. a win-back while it can
    # still work, or the customers worth the most
    churn_risk_min = fields.Float(string="Churn risk from (%)", default=0.0)
    churn_risk_max = fields.Float(string="Churn risk up to (%)", default=100.0)
    p_alive_min = fields.Float(string="P(alive) from", default=0.0)
    p_alive_max = fields.Float(string="P(alive) up to", default=1.0)
    predicted_clv_min = fields.Float(
        string="Predicted CLV from",
        help="Revenue the predictive model expects from the customer within the "
        "CLV horizon, in the company currency.",
    )
    predictive_filter = fields.Boolean(compute="_compute_predictive_filter")
    has_clv_model = fields.Boolean(compute="_compute_predictive_filter")
    audience_domain = fields.Char(default="[]", help="Extra filter on customers.")
    audience_uid = fields.Many2one(
        "res.users",
        string="Filter read as",
        readonly=True,
        copy=False,
        help="The user who last wrote the extra filter or the company: the "
        "filter selects the customers this user may read in the rule's company.",
    )
    # results
    issue_ids = fields.One2many("ecrm.coupon.issue", "rule_id")
    result_audience = fields.Integer(string="Audience", compute="_compute_results")
    result_issued = fields.Integer(string="Issued", compute="_compute_results")
    result_mailed = fields.Integer(string="Mailed", compute="_compute_results")
    result_redeemed = fields.Integer(string="Redeemed", compute="_compute_results")
    result_redemption_rate = fields.Float(
        string="Redemption rate (%)", compute="_compute_results"
    )
    result_revenue = fields.Float(
        string="Coupon revenue", digits="Product Price", compute="_compute_results"
    )
    result_treated = fields.Integer(string="Treated", compute="_compute_results")
    result_control = fields.Integer(string="Control", compute="_compute_results")
    result_incremental_revenue = fields.Float(
        string="Incremental revenue",
        digits="Product Price",
        compute="_compute_results",
    )
    # the audience as of its last count (not counted at each read of the
    # form: the audience query can take seconds)
    preview_count = fields.Integer(readonly=True, copy=False)
    preview_sample = fields.Html(readonly=True, copy=False, sanitize=True)
    preview_date = fields.Datetime(string="Preview as of", readonly=True, copy=False)

    _sql_constraints = [
        (
            "control_percent_range",
            "CHECK(control_percent BETWEEN 0 AND 50)",
            "The control group is between 0 and 50% of the audience.",
        ),
        ("period_days_positive", "CHECK(period_days > 0)", "The period is positive."),
        (
            "max_per_run_positive",
            "CHECK(max_per_run >= 0)",
            "The maximum per period cannot be negative.",
        ),
        (
            "predictive_filter_range",
            (
                "CHECK(churn_risk_min >= 0 AND churn_risk_min <= churn_risk_max "
                "AND churn_risk_max <= 100 AND p_alive_min >= 0 "
                "AND p_alive_min <= p_alive_max AND p_alive_max <= 1 "
                "AND predicted_clv_min >= 0)"
            ),
            (
                "The churn risk is a range within 0-100 %, P(alive) a range "
                "within 0-1 and the predicted CLV cannot be negative."
            ),
        ),
    ]

    @api.depends(*PREDICTIVE_FILTERS, "company_id")
    def _compute_predictive_filter(self):
        for rule in self:
            rule.predictive_filter = rule._ecrm_predictive_filter_set()
            rule.has_clv_model = bool(rule.company_id.sudo().ecrm_clv_model_id)

    def _ecrm_predictive_filter_set(self):
        return bool(
            self.churn_risk_min > 0
            or self.churn_risk_max < 100
            or self.p_alive_min > 0
            or self.p_alive_max < 1
            or self.predicted_clv_min > 0
        )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            vals["audience_uid"] = self.env.uid
        return super().create(vals_list)

    def write(self, vals):
        # set here only: whoever may write the rule must not pick the user
        # its filter runs as
        vals.pop("audience_uid", None)
        if AUDIENCE_AUTHOR_FIELDS & vals.keys():
            vals["audience_uid"] = self.env.uid
        return super().write(vals)

    @api.constrains("lifecycle_stage_ids", "rfm_segment_ids")
    def _check_audience_tags(self):
        for rule in self:
            if rule.lifecycle_stage_ids.filtered(
                lambda tag: tag.kind != "lifecycle_stage"
            ) or rule.rfm_segment_ids.filtered(lambda tag: tag.kind != "rfm_segment"):
                raise ValidationError(
                    self.env._(
                        "The lifecycle stages and RFM segments of a rule are "
                        "picked from their own lists."
                    )
                )

    @api.constrains("audience_domain")
    def _check_audience_domain(self):
        for rule in self:
            try:
                domain = ast.literal_eval(rule.audience_domain or "[]")
                self.env["res.partner"]._search(domain)
            except Exception as error:
                raise ValidationError(
                    self.env._("Invalid audience filter: %s", error)
                ) from error

    @api.constrains("mail_template_id")
    def _check_mail_template(self):
        for rule in self:
            if rule.mail_template_id and rule.mail_template_id.model != "loyalty.card":
                raise ValidationError(
                    self.env._(
                        "The email template of a coupon rule must be a template "
                        "of coupons (model loyalty.card)."
                    )
                )

    @api.constrains("reminder_hours", "coupon_hours")
    def _check_cart_delays(self):
        for rule in self:
            if not 0 < rule.reminder_hours < rule.coupon_hours:
                raise ValidationError(
                    self.env._("The coupon of a cart comes after its reminder.")
                )

    @api.constrains("program_id", "trigger")
    def _check_program(self):
        for rule in self:
            if rule.program_id.program_type != "coupons":
                raise ValidationError(
                    self.env._("The program of a coupon rule must be of type Coupons.")
                )
            # the personal products of a coupon restrict "specific" discounts
            if rule.trigger in PRODUCT_TRIGGERS and any(
                reward.reward_type != "discount"
                or reward.discount_applicability != "specific"
                for reward in rule.program_id.reward_ids
            ):
                raise ValidationError(
                    self.env._(
                        "Coupons on the customer's own products need a program "
                        "whose rewards are discounts on specific products."
                    )
                )

    def _ecrm_period_start(self, today=None):
        """First day of the current period: periods are counted from a fixed
        day, so that every worker computes the same period."""
        self.ensure_one()
        today = today or fields.Date.context_today(self.with_company(self.company_id))
        return today - timedelta(days=today.toordinal() % self.period_days)

    def _compute_results(self):
        results = self._ecrm_results() if self.ids else {}
        for rule in self:
            res = results.get(rule.id) or {}
            rule.result_audience = res.get("audience", 0)
            rule.result_issued = res.get("issued", 0)
            rule.result_mailed = res.get("mailed", 0)
            rule.result_redeemed = res.get("redeemed", 0)
            rule.result_redemption_rate = res.get("redemption_rate", 0.0) * 100
            rule.result_revenue = res.get("revenue", 0.0)
            rule.result_treated = res.get("treated", 0)
            rule.result_control = res.get("control", 0)
            rule.result_incremental_revenue = res.get("incremental_revenue", 0.0)

    def action_refresh_preview(self):
        """Count the audience a run would issue now, with a sample, and keep
        them with their time."""
        self.check_access("write")
        engine = self.env["ecrm.coupon.engine"]
        for rule in self:
            count, sample = engine._ecrm_preview(rule)
            bands = engine._ecrm_preview_bands(rule)
            rule.write(
                {
                    "preview_count": count,
                    "preview_sample": self.env["ir.qweb"]._render(
                        "ecrm_loyalty.ecrm_coupon_rule_preview",
                        {
                            "rule": rule,
                            "count": count,
                            "sample": sample,
                            "bands": bands,
                        },
                    ),
                    "preview_date": fields.Datetime.now(),
                }
            )

    def action_run(self):
        """Hand the rule to its cron job, which issues the coupons in batches
        in the background (a large audience, or mails Odoo must render one
        by one, take far longer than a click), and say so."""
        self.ensure_one()
        self.check_access("write")
        self.env.ref("ecrm_loyalty.ir_cron_ecrm_coupon_rules").sudo()._trigger()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "info",
                "message": self.env._(
                    "The coupons of %s are being issued in the background: "
                    "see Issued in a few minutes.",
                    self.name,
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def action_view_issues(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "ecrm_loyalty.ecrm_coupon_issue_action"
        )
        action["domain"] = [("rule_id", "=", self.id)]
        action["context"] = {"search_default_group_period": 1}
        return action

    def _ecrm_run(self):
        """Issue the coupons of these rules for the current period, one batch
        each; returns how many customers of their audiences are left."""
        engine = self.env["ecrm.coupon.engine"]
        return sum(engine._ecrm_issue(rule)[1] for rule in self)

    @api.model
    def _ecrm_cron_run(self):
        """One batch of the first active rule with customers to draw; the cron
        is called again while something remains."""
        engine = self.env["ecrm.coupon.engine"]
        rules = self.sudo().search([("active", "=", True)], order="sequence, id")
        for index, rule in enumerate(rules):
            # a failing rule does not hold up the others: logged, rolled
            # back, tried again at the next call
            try:
                with self.env.cr.savepoint():
                    drawn, remaining = engine._ecrm_issue(rule)
            except Exception:  # pylint: disable=broad-except
                _logger.exception("Coupon rule %s failed; next rule", rule.id)
                continue
            if drawn or remaining:
                self.env["ir.cron"]._notify_progress(
                    done=drawn, remaining=remaining + len(rules) - index - 1
                )
                return
        self.env["ir.cron"]._notify_progress(done=0, remaining=0)

    def _ecrm_results(self, date_from=None, date_to=None):
        """``{rule_id: {...}}``: the results of the issues created between
        ``date_from`` and ``date_to`` (dates, both included). Revenue is
        untaxed in the company currency; the incremental revenue compares
        what treated and control customers bought in the period of their
        issue (coupon or not) and scales the difference to the treated."""
        return self.env["ecrm.coupon.engine"]._ecrm_results(self, date_from, date_to)

    @api.model
    def _ecrm_date_bounds(self, date_from, date_to):
        return (
            date_from or date(1900, 1, 1),
            (date_to or date(9999, 12, 30)) + timedelta(days=1),
        )

    def _ecrm_audience_filters(self, profile_alias):
        """SQL condition of the audience on the profile (``profile_alias``)
        and the partner: all the rule's filters (AND)."""
        conditions = self._ecrm_audience_conditions(SQL.identifier(profile_alias))
        return SQL(" AND ").join(conditions) if conditions else SQL("TRUE")

    def _ecrm_audience_conditions(self, profile):
        """[SQL condition] of each audience filter set on the rule, on the
        profile ``profile`` (an SQL identifier; its ``partner_id`` is the
        customer). A new filter is a field of the rule and its condition
        here: override, call super() and append (e.g. a churn risk range on
        ``profile.churn_risk``)."""
        self.ensure_one()
        conditions = []
        if self.level_ids:
            conditions.append(SQL("%s.level_id = ANY(%s)", profile, self.level_ids.ids))
        if self.lifecycle_stage_ids:
            conditions.append(
                SQL(
                    "%s.lifecycle_stage = ANY(%s)",
                    profile,
                    self.lifecycle_stage_ids.mapped("code"),
                )
            )
        if self.rfm_segment_ids:
            conditions.append(
                SQL(
                    "%s.rfm_segment = ANY(%s)",
                    profile,
                    self.rfm_segment_ids.mapped("code"),
                )
            )
        if self._ecrm_predictive_filter_set() and not self.env.context.get(
            "ecrm_without_predictive"
        ):
            conditions.append(self._ecrm_predictive_condition(profile))
        domain = ast.literal_eval(self.audience_domain or "[]")
        if domain:
            conditions.append(
                SQL(
                    "%s.partner_id IN %s",
                    profile,
                    self._ecrm_audience_query(domain),
                )
            )
        return conditions

    def _ecrm_predictive_condition(self, profile):
        """The predictive filters on ``profile``: they match no one while the
        company has no model (nothing to decide with; the form says so)."""
        model = self.company_id.sudo().ecrm_clv_model_id
        if not model:
            return SQL("FALSE")
        today = self.env["ecrm.profile.engine"]._ecrm_today(self.company_id)
        figures = model._ecrm_profile_figures_sql(profile, today)
        return SQL(
            "100 * %(no_order)s BETWEEN %(churn_min)s AND %(churn_max)s"
            " AND %(p_alive)s BETWEEN %(alive_min)s AND %(alive_max)s"
            " AND COALESCE(%(clv)s, 0) >= %(clv_min)s",
            no_order=figures["no_order"],
            p_alive=figures["p_alive"],
            clv=figures["clv"],
            churn_min=self.churn_risk_min,
            churn_max=self.churn_risk_max,
            alive_min=self.p_alive_min,
            alive_max=self.p_alive_max,
            clv_min=self.predicted_clv_min,
        )

    def _ecrm_audience_query(self, domain):
        """The partners of ``domain`` as the filter's author (the last user
        who wrote it or the rule's company) reads them in the rule's company
        only, as ecrm.level evaluates its extra condition: the audience, its
        preview and its coupons never reveal what the author may not read,
        whoever runs the rule (the cron runs as superuser). Not write_uid:
        refreshing the preview writes the rule, and the ORM may flush a
        write as another user (a value equal to the cache's is not written)."""
        author = self.audience_uid.id or SUPERUSER_ID
        su = author == SUPERUSER_ID
        if not su and self.company_id.id not in self.audience_uid._get_company_ids():
            return SQL("(SELECT NULL::int WHERE FALSE)")
        partners = self.env(
            user=author,
            su=su,
            context={"allowed_company_ids": self.company_id.ids, "active_test": False},
        )["res.partner"]
        return partners._search(domain).subselect()
