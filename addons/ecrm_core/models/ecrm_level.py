# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import math
from datetime import timedelta
from itertools import pairwise

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL
from odoo.tools.safe_eval import safe_eval

from .ecrm_selection import MAX_DAYS
from .ecrm_sla_policy import MAX_SLA_HOURS, PRIORITIES

# Qualification thresholds, compared level by level along the ladder.
THRESHOLDS = (
    "min_revenue",
    "min_orders",
    "min_tenure_days",
    "min_rfm_score",
    "min_predicted_clv",
    "min_p_alive",
)


class EcrmLevel(models.Model):
    """A rung of the eCRM service ladder (Foundational → Value-added).

    A customer gets the highest level whose qualification rule they meet; all
    thresholds of a rule must hold (an empty rule qualifies every customer).
    """

    _name = "ecrm.level"
    _description = "eCRM Level"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(
        default=10, help="Position on the ladder: a higher sequence is a higher level."
    )
    color = fields.Integer()
    description = fields.Html(
        translate=True, help="Shown to customers: what this level gives them."
    )
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", help="Leave empty to share the level between companies."
    )
    service_ids = fields.Many2many(
        "ecrm.service", string="Services", help="Services this level unlocks."
    )
    ecrm_ticket_priority = fields.Selection(
        PRIORITIES,
        string="Ticket priority",
        help="Tickets of customers of this level get at least this priority.",
    )
    sla_hours = fields.Float(
        string="First-response SLA (hours)",
        default=24.0,
        help="Working hours within which the helpdesk must first answer "
        "a customer of this level.",
    )

    # Qualification rule
    min_revenue = fields.Float(
        string="Minimum revenue",
        help="Net revenue (untaxed, in the company currency, refunds deducted) "
        "over the eCRM window of the settings.",
    )
    min_orders = fields.Integer(
        string="Minimum orders", help="Confirmed orders over the eCRM window."
    )
    min_tenure_days = fields.Integer(
        string="Minimum tenure (days)", help="Days since the first confirmed order."
    )
    min_rfm_score = fields.Integer(
        string="Minimum RFM score",
        help="Sum of the recency, frequency and monetary scores (3 to 15).",
    )
    # Predictive conditions: they apply once the company has a predictive
    # model (a ladder set up before the first fit does not empty the levels).
    min_predicted_clv = fields.Float(
        string="Minimum predicted CLV",
        help="Revenue the predictive model expects from the customer within the "
        "CLV horizon (company currency). Applies once the company has a model.",
    )
    min_p_alive = fields.Float(
        string="Minimum P(alive)",
        help="Probability (0 to 1) that the customer is still a customer, by the "
        "predictive model. Applies once the company has a model.",
    )
    domain = fields.Char(
        string="Extra condition",
        default="[]",
        help="Customers must also match this domain.",
    )
    customer_count = fields.Integer(compute="_compute_customer_count")

    _sql_constraints = [
        (
            "ecrm_thresholds_bounded",
            (
                f"CHECK(min_revenue >= 0 AND min_orders >= 0 AND min_tenure_days >= 0 "
                f"AND min_tenure_days <= {MAX_DAYS} "
                f"AND min_rfm_score >= 0 AND min_rfm_score <= 15 "
                f"AND min_predicted_clv >= 0 AND min_p_alive >= 0 AND min_p_alive <= 1)"
            ),
            (
                f"The thresholds of a level cannot be negative, the minimum tenure "
                f"is at most {MAX_DAYS} days (100 years) and the minimum RFM score "
                f"at most 15."
            ),
        ),
        (
            "ecrm_sla_hours_bounded",
            f"CHECK(sla_hours > 0 AND sla_hours <= {MAX_SLA_HOURS})",
            (
                f"A level's first-response SLA is more than 0 and at most "
                f"{MAX_SLA_HOURS} hours."
            ),
        ),
    ]

    @api.constrains("sla_hours")
    def _check_sla_hours(self):
        for level in self:
            if not 0 < level.sla_hours <= MAX_SLA_HOURS:
                raise ValidationError(
                    self.env._(
                        "The first-response SLA of level %(level)s must be more "
                        "than 0 and at most %(max)s hours.",
                        level=level.name,
                        max=MAX_SLA_HOURS,
                    )
                )

    @api.constrains(*THRESHOLDS)
    def _check_thresholds_positive(self):
        for level in self:
            if any(level[name] < 0 for name in THRESHOLDS):
                raise ValidationError(
                    self.env._(
                        "The thresholds of level %(level)s cannot be negative.",
                        level=level.name,
                    )
                )
            if level.min_rfm_score > 15:
                raise ValidationError(
                    self.env._("An RFM score is at most 15 (5 + 5 + 5).")
                )
            if level.min_tenure_days > MAX_DAYS:
                raise ValidationError(
                    self.env._(
                        "The minimum tenure is at most %(days)s days (100 years): "
                        "archive the level rather than make it unreachable.",
                        days=MAX_DAYS,
                    )
                )
            if not 0 <= level.min_p_alive <= 1:
                raise ValidationError(
                    self.env._("P(alive) is a probability, between 0 and 1.")
                )
            if not math.isfinite(level.min_revenue + level.min_predicted_clv):
                raise ValidationError(
                    self.env._("The minimum revenue and predicted CLV must be numbers.")
                )

    @api.constrains("sequence", "company_id", "active", *THRESHOLDS)
    def _check_ladder_is_monotonic(self):
        companies = self.company_id
        if not all(level.company_id for level in self):
            companies = self.env["res.company"].sudo().search([])  # pylint: disable=no-search-all
        # the whole ladder of each company, also the levels the user cannot see
        Level = self.sudo().with_context(active_test=True)
        for company in companies:
            ladder = Level.search(self._ladder_domain(company), order="sequence, id")
            for lower, higher in pairwise(ladder):
                weaker = [
                    higher._fields[name].get_description(self.env)["string"]
                    for name in THRESHOLDS
                    if higher[name] < lower[name]
                ]
                if weaker:
                    raise ValidationError(
                        self.env._(
                            "Level %(higher)s is above %(lower)s on the ladder but "
                            "asks less: %(fields)s. Raise its requirements or "
                            "change the order of the levels.",
                            higher=higher.name,
                            lower=lower.name,
                            fields=", ".join(weaker),
                        )
                    )

    @api.constrains("domain")
    def _check_domain(self):
        # Run as its author will be in the engine (see _ecrm_rule_sql), so
        # that type errors in values show now, not in the nightly run.
        for level in self:
            try:
                domain = safe_eval(level.domain or "[]")
                with self.env.cr.savepoint():
                    self.env["res.partner"].search_count(domain, limit=1)
            except Exception as error:
                raise ValidationError(
                    self.env._(
                        "The extra condition of level %(level)s is not a valid "
                        "domain: %(error)s",
                        level=level.name,
                        error=error,
                    )
                ) from error

    @api.model
    def _ladder_domain(self, company):
        return [("company_id", "in", [company.id, False])]

    @api.model
    def _ecrm_rule_sql(self, company, today):
        """CASE expression giving the highest level of the ladder of
        ``company`` whose rule the scored row ``s`` of the eCRM engine meets.

        A level's extra condition selects the partners its author (the last
        user who wrote the level) may read in that company: it never reveals
        anything about the partners hidden from them."""
        levels = self.sudo().search(
            self._ladder_domain(company), order="sequence desc, id desc"
        )
        whens = []
        for level in levels:
            conditions = [SQL("TRUE")]
            if level.min_revenue:
                conditions.append(SQL("s.monetary >= %s", level.min_revenue))
            if level.min_orders:
                conditions.append(SQL("s.frequency >= %s", level.min_orders))
            if level.min_tenure_days:
                first_day = today - timedelta(days=level.min_tenure_days)
                conditions.append(SQL("s.first_day <= %s", first_day))
            if level.min_rfm_score:
                conditions.append(
                    SQL("s.r_score + s.f_score + s.m_score >= %s", level.min_rfm_score)
                )
            if company.ecrm_clv_model_id:
                if level.min_predicted_clv:
                    conditions.append(
                        SQL("s.predicted_clv >= %s", level.min_predicted_clv)
                    )
                if level.min_p_alive:
                    conditions.append(SQL("s.p_alive >= %s", level.min_p_alive))
            domain = safe_eval(level.domain or "[]")
            if domain:
                conditions.append(level._ecrm_domain_sql(company, domain))
            whens.append(
                SQL("WHEN %s THEN %s", SQL(" AND ").join(conditions), level.id)
            )
        if not whens:
            return SQL("NULL::int")
        return SQL("CASE %s END", SQL(" ").join(whens))

    def _ecrm_domain_sql(self, company, domain):
        author = self.write_uid.id or SUPERUSER_ID
        su = author == SUPERUSER_ID
        if not su and company.id not in self.write_uid._get_company_ids():
            return SQL("FALSE")
        # the author's rules in this company only, whatever the caller's context
        partners = self.env(
            user=author, su=su, context={"allowed_company_ids": [company.id]}
        )["res.partner"]
        query = partners._search(domain)
        return SQL("s.partner_id IN %s", query.subselect())

    def _compute_customer_count(self):
        groups = self.env["res.partner"]._read_group(
            [("ecrm_level_id", "in", self.ids)], ["ecrm_level_id"], ["__count"]
        )
        counts = {level.id: count for level, count in groups}
        for level in self:
            level.customer_count = counts.get(level.id, 0)

    def _held_by_customers(self):
        """Levels of ``self`` that a customer holds in any company."""
        groups = (
            self.env["ecrm.profile"]
            .sudo()
            ._read_group([("level_id", "in", self.ids)], ["level_id"])
        )
        return self.browse(level.id for (level,) in groups)

    def _check_not_held(self):
        held = self._held_by_customers()
        if held:
            raise UserError(
                self.env._(
                    "Customers hold the level(s) %(levels)s: move them to another "
                    "level first.",
                    levels=", ".join(held.mapped("name")),
                )
            )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_held(self):
        self._check_not_held()

    def write(self, vals):
        if vals.get("active") is False:
            self.filtered("active")._check_not_held()
        return super().write(vals)

    def action_view_customers(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "ecrm_core.res_partner_ecrm_action"
        )
        action["domain"] = [("ecrm_level_id", "=", self.id)]
        action["context"] = {}
        return action
