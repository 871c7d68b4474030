# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools import SQL, Query

from .ecrm_selection import CONTACT_CHANNELS, LIFECYCLE_STAGES

INFERRED_CATEGORIES = 3


# Who may read a customer's eCRM figures: eCRM users (not every employee, not
# the customer on their own partner); private notes, eCRM managers only.
USER = "ecrm_core.group_ecrm_user"
MANAGER = "ecrm_core.group_ecrm_manager"


def _profile_field(field_type, name, groups=USER):
    """The field ``name`` of the customer's profile in the current company."""
    return field_type(
        related=f"ecrm_profile_id.{name}", depends_context=("company",), groups=groups
    )


class ResPartner(models.Model):
    _inherit = "res.partner"

    # The eCRM profile of the commercial partner in the current company; the
    # fields below read it and can be searched, sorted and grouped by (see
    # _field_to_sql: SQL joins the profile of the current company).
    ecrm_profile_ids = fields.One2many(
        "ecrm.profile", "partner_id", string="eCRM profiles", groups=USER
    )
    ecrm_profile_id = fields.Many2one(
        "ecrm.profile",
        string="eCRM profile",
        compute="_compute_ecrm_profile_id",
        compute_sudo=True,
        search="_search_ecrm_profile_id",
        groups=USER,
    )
    ecrm_level_id = _profile_field(fields.Many2one, "level_id")
    ecrm_level_pinned = _profile_field(fields.Boolean, "level_pinned")
    ecrm_level_pin_reason = _profile_field(fields.Char, "level_pin_reason", MANAGER)
    ecrm_level_below_since = _profile_field(fields.Date, "level_below_since")
    ecrm_level_history_ids = fields.One2many(
        "ecrm.level.history", "partner_id", string="Level history", groups=USER
    )
    ecrm_lifecycle_stage = fields.Selection(
        LIFECYCLE_STAGES,
        string="Lifecycle stage",
        compute="_compute_ecrm_lifecycle_stage",
        compute_sudo=True,
        search="_search_ecrm_lifecycle_stage",
        groups=USER,
    )
    ecrm_lifecycle_date = _profile_field(fields.Date, "lifecycle_date")
    ecrm_lifecycle_history_ids = fields.One2many(
        "ecrm.lifecycle.history", "partner_id", string="Lifecycle history", groups=USER
    )
    ecrm_first_order_date = _profile_field(fields.Date, "first_order_date")
    ecrm_last_order_date = _profile_field(fields.Date, "last_order_date")
    ecrm_order_count = _profile_field(fields.Integer, "order_count")
    ecrm_recency_days = _profile_field(fields.Integer, "recency_days")
    ecrm_frequency = _profile_field(fields.Integer, "frequency")
    ecrm_monetary = _profile_field(fields.Monetary, "monetary")
    ecrm_r_score = _profile_field(fields.Integer, "r_score")
    ecrm_f_score = _profile_field(fields.Integer, "f_score")
    ecrm_m_score = _profile_field(fields.Integer, "m_score")
    ecrm_rfm_segment = _profile_field(fields.Selection, "rfm_segment")
    ecrm_aov = _profile_field(fields.Monetary, "aov")
    ecrm_clv = _profile_field(fields.Monetary, "clv_total")
    ecrm_churn_risk = _profile_field(fields.Float, "churn_risk")
    ecrm_p_alive = _profile_field(fields.Float, "p_alive")
    ecrm_expected_orders = _profile_field(fields.Float, "expected_orders")
    ecrm_predicted_clv = _profile_field(fields.Monetary, "predicted_clv")
    ecrm_next_order_date = _profile_field(fields.Date, "next_order_date")
    ecrm_tenure_days = fields.Integer(
        string="Tenure (days)", compute="_compute_ecrm_tenure_days", groups=USER
    )

    # Preferences and consent
    ecrm_preferred_channel = fields.Selection(
        CONTACT_CHANNELS, string="Preferred channel"
    )
    ecrm_category_ids = fields.Many2many(
        "product.category",
        "res_partner_ecrm_category_rel",
        string="Categories of interest",
    )
    ecrm_inferred_category_ids = fields.Many2many(
        "product.category",
        string="Categories bought",
        compute="_compute_ecrm_inferred_category_ids",
        help="The product categories this customer spent most on, in this company.",
        groups=USER,
    )
    ecrm_consent_ids = fields.One2many(
        "ecrm.consent", "partner_id", string="Consents", groups=USER
    )

    # 360° timeline
    ecrm_interaction_ids = fields.One2many(
        "ecrm.interaction", "partner_id", string="Timeline", groups=USER
    )
    ecrm_interaction_count = fields.Integer(
        string="Interactions", compute="_compute_ecrm_interaction_count", groups=USER
    )

    @api.depends("ecrm_profile_ids")
    @api.depends_context("company")
    def _compute_ecrm_profile_id(self):
        company = self.env.company
        for partner in self:
            partner.ecrm_profile_id = partner.ecrm_profile_ids.filtered(
                lambda profile: profile.company_id == company
            )[:1]

    def _search_ecrm_profile_id(self, operator, value):
        if operator not in ("in", "not in", "=", "!="):
            raise UserError(self.env._("Unsupported search on the eCRM profile."))
        Profile = self.env["ecrm.profile"].sudo()
        in_company = [("company_id", "=", self.env.company.id)]
        if isinstance(value, Query):
            ids, without = value, False
        else:
            values = value if isinstance(value, (list, tuple)) else [value]
            ids, without = [v for v in values if v], not all(values)
        has = [
            (
                "id",
                "in",
                Profile._search(in_company + [("id", "in", ids)]).subselect(
                    "partner_id"
                ),
            )
        ]
        if without:
            has = expression.OR(
                [
                    has,
                    [
                        (
                            "id",
                            "not in",
                            Profile._search(in_company).subselect("partner_id"),
                        )
                    ],
                ]
            )
        if operator in ("in", "="):
            return has
        return ["!", *expression.normalize_domain(has)]

    # Odoo checks a field's groups when it is read, not when a domain, an
    # order or a group-by goes through a related field (it searches the path
    # as superuser): without these, anyone could sort customers by CLV.
    def _ecrm_check_restricted(self, fnames):
        restricted = [
            fname
            for fname in fnames
            if fname.startswith("ecrm_")
            and fname in self._fields
            and self._fields[fname].groups
        ]
        if restricted:
            self.check_field_access_rights("read", restricted)

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None, **kwargs):
        fnames = [
            leaf[0].split(".", 1)[0]
            for leaf in domain or []
            if isinstance(leaf, (list, tuple))
            and len(leaf) == 3
            and isinstance(leaf[0], str)
        ]
        fnames += [part.split()[0] for part in (order or "").split(",") if part.strip()]
        self._ecrm_check_restricted(fnames)
        return super()._search(domain, offset, limit, order, **kwargs)

    def _read_group_groupby(self, groupby_spec, query):
        self._ecrm_check_restricted([groupby_spec.split(":")[0].split(".")[0]])
        return super()._read_group_groupby(groupby_spec, query)

    def _field_to_sql(self, alias, fname, query=None, flush=True):
        if fname not in ("ecrm_profile_id", "ecrm_lifecycle_stage") or query is None:
            return super()._field_to_sql(alias, fname, query, flush)
        self.check_field_access_rights("read", [fname])
        profile = query.make_alias(alias, "ecrm_profile")
        query.add_join(
            "LEFT JOIN",
            profile,
            "ecrm_profile",
            SQL(
                "%s = %s AND %s = %s",
                SQL.identifier(profile, "partner_id"),
                SQL.identifier(alias, "id"),
                SQL.identifier(profile, "company_id"),
                self.env.company.id,
            ),
        )
        if fname == "ecrm_lifecycle_stage":
            # a partner without a profile is a prospect: stage "selection"
            return SQL(
                "COALESCE(%s, 'selection')",
                SQL.identifier(profile, "lifecycle_stage"),
            )
        return SQL.identifier(profile, "id")

    def write(self, vals):
        # The profile's fields shown on the partner write the profile (with
        # the partner's rights, not sudo): only those who may write profiles.
        if any(
            self._fields[name].related
            and self._fields[name].related.startswith("ecrm_profile_id.")
            for name in vals
            if name in self._fields
        ):
            self.env["ecrm.profile"].check_access("write")
        return super().write(vals)

    @api.depends("ecrm_profile_id.lifecycle_stage")
    @api.depends_context("company")
    def _compute_ecrm_lifecycle_stage(self):
        for partner in self:
            stage = partner.ecrm_profile_id.lifecycle_stage
            partner.ecrm_lifecycle_stage = stage or "selection"

    def _search_ecrm_lifecycle_stage(self, operator, value):
        if operator not in ("in", "not in", "=", "!="):
            raise UserError(self.env._("Unsupported search on the lifecycle stage."))
        values = set(value if isinstance(value, (list, tuple)) else [value])
        stages = {stage for stage, __ in LIFECYCLE_STAGES}
        if operator in ("not in", "!="):
            values = stages - values
        values &= stages
        profiles = (
            self.env["ecrm.profile"]
            .sudo()
            ._search(
                [
                    ("company_id", "=", self.env.company.id),
                    ("lifecycle_stage", "in", list(values)),
                ]
            )
        )
        domain = [("ecrm_profile_id", "in", profiles)]
        if "selection" in values:
            domain = expression.OR([domain, [("ecrm_profile_id", "=", False)]])
        return domain

    @api.depends("ecrm_first_order_date")
    @api.depends_context("company")
    def _compute_ecrm_tenure_days(self):
        today = self.env["ecrm.profile.engine"]._ecrm_today(self.env.company)
        for partner in self:
            first = partner.ecrm_first_order_date
            partner.ecrm_tenure_days = (today - first).days if first else 0

    @api.depends_context("company")
    def _compute_ecrm_inferred_category_ids(self):
        bought = dict.fromkeys(self.ids, ())
        if self.ids:
            self.env.cr.execute(
                SQL(
                    """
                    SELECT partner_id, array_agg(categ_id ORDER BY amount DESC)
                      FROM (
                        SELECT p.commercial_partner_id AS partner_id,
                               pt.categ_id,
                               sum(sol.price_subtotal) AS amount,
                               row_number() OVER (
                                   PARTITION BY p.commercial_partner_id
                                   ORDER BY sum(sol.price_subtotal) DESC
                               ) AS rank
                          FROM sale_order_line sol
                          JOIN res_partner p ON p.id = sol.order_partner_id
                          JOIN product_product pp ON pp.id = sol.product_id
                          JOIN product_template pt ON pt.id = pp.product_tmpl_id
                         WHERE sol.state = 'sale'
                           AND sol.company_id = %s
                           AND p.commercial_partner_id = ANY(%s)
                         GROUP BY p.commercial_partner_id, pt.categ_id
                      ) ranked
                     WHERE rank <= %s
                     GROUP BY partner_id
                    """,
                    self.env.company.id,
                    self.commercial_partner_id.ids,
                    INFERRED_CATEGORIES,
                )
            )
            by_commercial = dict(self.env.cr.fetchall())
            for partner in self:
                bought[partner.id] = by_commercial.get(
                    partner.commercial_partner_id.id, ()
                )
        for partner in self:
            partner.ecrm_inferred_category_ids = [
                Command.set(list(bought.get(partner.id, ())))
            ]

    def _compute_ecrm_interaction_count(self):
        groups = self.env["ecrm.interaction"]._read_group(
            [("partner_id", "in", self.commercial_partner_id.ids)],
            ["partner_id"],
            ["__count"],
        )
        counts = {partner.id: count for partner, count in groups}
        for partner in self:
            partner.ecrm_interaction_count = counts.get(
                partner.commercial_partner_id.id, 0
            )

    def _ecrm_has_service(self, code):
        """Whether the customer's eCRM level (of its commercial partner, in the
        current company) grants the service ``code``."""
        self.ensure_one()
        level = self.commercial_partner_id.sudo().ecrm_level_id
        return code in level.service_ids.mapped("code")

    # ------------------------------------------------------------------
    # Consent: the one place that decides whether a message may go out
    # ------------------------------------------------------------------

    def _ecrm_filter_consent(self, channel):
        """The partners of ``self`` that may be contacted on ``channel`` by the
        current company, in one query (rule: ``ecrm.consent._ecrm_filter``)."""
        return self.env["ecrm.consent"]._ecrm_filter(self, channel)

    def _ecrm_has_consent(self, channel):
        """Whether this partner may be contacted on ``channel``; every outgoing
        eCRM message checks it (see ``_ecrm_filter_consent``)."""
        self.ensure_one()
        return bool(self._ecrm_filter_consent(channel))

    def _ecrm_set_consent(self, channel, state, source, note=False):
        """Record what the customer said about ``channel`` (current company)."""
        self.env["ecrm.consent"]._ecrm_record(self, channel, state, source, note)

    def action_ecrm_log_interaction(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Log an interaction"),
            "res_model": "ecrm.interaction.log",
            "view_mode": "form",
            "target": "new",
            "context": {"default_partner_id": self.commercial_partner_id.id},
        }

    def action_ecrm_view_interactions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "ecrm_core.ecrm_interaction_action"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action

    def _ecrm_phone_blacklisted(self):
        """The partners of ``self`` whose phone or mobile number is in Odoo's
        ``phone.blacklist``."""
        numbers = {
            partner: {partner._phone_format(fname=name) for name in ("mobile", "phone")}
            - {False, None}
            for partner in self
        }
        known = set().union(*numbers.values())
        if not known:
            return self.browse()
        blacklisted = set(
            self.env["phone.blacklist"]
            .sudo()
            .search([("number", "in", list(known))])
            .mapped("number")
        )
        return self.filtered(lambda partner: numbers[partner] & blacklisted)

    # ------------------------------------------------------------------
    # Proactive service
    # ------------------------------------------------------------------

    def _ecrm_proactive_followup(self, reason):
        """Ask each customer's salesperson to reach out before the customer
        complains, with the context (one open activity per customer), in the
        current company: one batch of activities, without a mail each (the
        daily digest tells the salespeople)."""
        company = self.env.company
        activity_type = self.env.ref("ecrm_core.mail_activity_type_proactive")
        # activities have no company: another company's follow-up (assigned
        # to someone who does not work here) does not count
        busy = set(
            self.env["mail.activity"]
            .search(
                [
                    ("res_model", "=", "res.partner"),
                    ("res_id", "in", self.ids),
                    ("activity_type_id", "=", activity_type.id),
                    ("user_id.company_ids", "in", company.id),
                ]
            )
            .mapped("res_id")
        )
        partners = self.filtered(lambda p: p.id not in busy)
        leaders = partners._ecrm_last_ticket_team_leaders()
        model = self.env["ir.model"]._get_id("res.partner")
        deadline = activity_type._get_date_deadline()
        vals_list = []
        for partner in partners:
            user = partner.user_id
            if not user or company.id not in user._get_company_ids():
                user = leaders.get(partner.id)
            if not user:
                continue
            vals_list.append(
                {
                    "res_model_id": model,
                    "res_id": partner.id,
                    "activity_type_id": activity_type.id,
                    "summary": reason,
                    "note": partner._ecrm_followup_context(reason),
                    "user_id": user.id,
                    "date_deadline": deadline,
                    "automated": True,
                }
            )
        self.env["mail.activity"].with_context(mail_activity_quick_update=True).create(
            vals_list
        )

    def _ecrm_last_ticket_team_leaders(self):
        """{partner id: leader of the team of their last ticket in the current
        company, if the leader works in it}, in one query."""
        company = self.env.company
        tickets = self.env["helpdesk.ticket"].search(
            [
                ("commercial_partner_id", "in", self.ids),
                ("company_id", "=", company.id),
                ("team_id.user_id.company_ids", "in", company.id),
            ],
            order="create_date desc",
        )
        leaders = {}
        for ticket in tickets:
            leaders.setdefault(ticket.commercial_partner_id.id, ticket.team_id.user_id)
        return leaders

    def _ecrm_followup_context(self, reason):
        self.ensure_one()
        company = self.env.company
        orders = self.env["sale.order"].search(
            [
                ("partner_id", "child_of", self.id),
                ("company_id", "=", company.id),
                ("state", "=", "sale"),
            ],
            order="date_order desc",
            limit=3,
        )
        tickets = self.env["helpdesk.ticket"].search(
            [
                ("commercial_partner_id", "=", self.id),
                ("company_id", "=", company.id),
                ("closed", "=", False),
            ]
        )
        ratings = self.env["rating.rating"].search(
            [("partner_id", "child_of", self.id), ("consumed", "=", True)],
            order="write_date desc",
            limit=10,
        )
        # ratings have no company: the one of the rated document
        rating = ratings.filtered(
            lambda r: (
                "company_id" not in self.env[r.res_model]._fields
                or self.env[r.res_model].browse(r.res_id).company_id in (company, False)
            )
        )[:1]
        return self.env["ir.qweb"]._render(
            "ecrm_core.proactive_followup_note",
            {
                "reason": reason,
                "orders": orders,
                "tickets": tickets,
                "rating": rating,
            },
        )

    # ------------------------------------------------------------------
    # Levels and recompute: delegated to ecrm.profile
    # ------------------------------------------------------------------

    def _ecrm_pin_level(self, level_id, reason):
        """Pin the level ``level_id`` on these customers (current company)."""
        self.env["ecrm.profile"]._ecrm_pin_level(
            self, self.env["ecrm.level"].browse(level_id), reason
        )

    def action_ecrm_unpin_level(self):
        self.env["ecrm.profile"]._ecrm_unpin_level(self)

    @api.model
    def _ecrm_recompute_all(self):
        """Recompute every customer of the current company and refresh the RFM
        quintile boundaries."""
        self.env["ecrm.profile"]._ecrm_recompute_all()

    def _ecrm_recompute(self):
        """Recompute these customers (their commercial partners) in the current
        company; scores are placed within the stored quintile boundaries."""
        self.env["ecrm.profile"]._ecrm_recompute(self)
