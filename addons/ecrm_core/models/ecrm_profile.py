# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

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
    clv = fields.Monetary(string="Customer lifetime value")
    churn_risk = fields.Float(
        string="Churn risk (%)", digits=(5, 1), compute="_compute_recency"
    )

    _check_company_auto = True
    _sql_constraints = [
        (
            "partner_company_uniq",
            "unique(partner_id, company_id)",
            "A customer has one eCRM profile per company.",
        ),
    ]

    @api.depends("last_order_date", "risk_days", "company_id.ecrm_churn_days")
    def _compute_recency(self):
        for profile in self:
            if not profile.last_order_date:
                profile.recency_days = profile.churn_risk = 0
                continue
            today = self.env["ecrm.profile.engine"]._ecrm_today(profile.company_id)
            recency = (today - profile.last_order_date).days
            profile.recency_days = recency
            if recency >= profile.company_id.ecrm_churn_days:
                profile.churn_risk = 100.0
            else:
                risk = min(recency / (profile.risk_days or 1), 1.0)
                profile.churn_risk = round(risk * 100, 1)

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
                changes.append((partner.id, old_level.id or None, level.id))
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
