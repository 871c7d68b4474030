# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import threading
from datetime import timedelta

from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools import SQL, Query
from odoo.tools.safe_eval import safe_eval

from .ecrm_consent import CONTACT_CHANNELS

CHATTER_BATCH = 1000
INFERRED_CATEGORIES = 3


def _profile_field(field_type, name):
    """The field ``name`` of the customer's profile in the current company."""
    return field_type(related=f"ecrm_profile_id.{name}", depends_context=("company",))


class ResPartner(models.Model):
    _inherit = "res.partner"

    # The eCRM profile of the commercial partner in the current company; the
    # fields below read it and can be searched, sorted and grouped by (see
    # _field_to_sql: SQL joins the profile of the current company).
    ecrm_profile_ids = fields.One2many(
        "ecrm.profile", "partner_id", string="eCRM profiles"
    )
    ecrm_profile_id = fields.Many2one(
        "ecrm.profile",
        string="eCRM profile",
        compute="_compute_ecrm_profile_id",
        compute_sudo=True,
        search="_search_ecrm_profile_id",
    )
    ecrm_level_id = _profile_field(fields.Many2one, "level_id")
    ecrm_level_pinned = _profile_field(fields.Boolean, "level_pinned")
    ecrm_level_pin_reason = _profile_field(fields.Char, "level_pin_reason")
    ecrm_level_below_since = _profile_field(fields.Date, "level_below_since")
    ecrm_level_history_ids = fields.One2many(
        "ecrm.level.history", "partner_id", string="Level history"
    )
    ecrm_lifecycle_stage = _profile_field(fields.Selection, "lifecycle_stage")
    ecrm_lifecycle_date = _profile_field(fields.Date, "lifecycle_date")
    ecrm_lifecycle_history_ids = fields.One2many(
        "ecrm.lifecycle.history", "partner_id", string="Lifecycle history"
    )
    ecrm_first_order_date = _profile_field(fields.Date, "first_order_date")
    ecrm_last_order_date = _profile_field(fields.Date, "last_order_date")
    ecrm_order_count = _profile_field(fields.Integer, "order_count")
    ecrm_recency_days = _profile_field(fields.Integer, "recency_days")
    ecrm_frequency = _profile_field(fields.Integer, "frequency")
    ecrm_monetary = _profile_field(fields.Float, "monetary")
    ecrm_r_score = _profile_field(fields.Integer, "r_score")
    ecrm_f_score = _profile_field(fields.Integer, "f_score")
    ecrm_m_score = _profile_field(fields.Integer, "m_score")
    ecrm_rfm_segment = _profile_field(fields.Selection, "rfm_segment")
    ecrm_aov = _profile_field(fields.Float, "aov")
    ecrm_clv = _profile_field(fields.Float, "clv")
    ecrm_churn_risk = _profile_field(fields.Float, "churn_risk")
    ecrm_tenure_days = fields.Integer(
        string="Tenure (days)", compute="_compute_ecrm_tenure_days"
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
    )
    ecrm_consent_ids = fields.One2many("ecrm.consent", "partner_id", string="Consents")

    # 360° timeline
    ecrm_interaction_ids = fields.One2many(
        "ecrm.interaction", "partner_id", string="Timeline"
    )
    ecrm_interaction_count = fields.Integer(
        string="Interactions", compute="_compute_ecrm_interaction_count"
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

    def _field_to_sql(self, alias, fname, query=None, flush=True):
        if fname != "ecrm_profile_id" or query is None:
            return super()._field_to_sql(alias, fname, query, flush)
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
        return SQL.identifier(profile, "id")

    @api.depends("ecrm_first_order_date")
    @api.depends_context("company")
    def _compute_ecrm_tenure_days(self):
        today = fields.Date.context_today(self)
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
        level = self.commercial_partner_id.ecrm_level_id
        return code in level.service_ids.mapped("code")

    # ------------------------------------------------------------------
    # Consent: the one place that decides whether a message may go out
    # ------------------------------------------------------------------

    def _ecrm_filter_consent(self, channel):
        """The partners of ``self`` that may be contacted on ``channel`` by the
        current company, in one query. A partner may be contacted unless their
        commercial partner opted out of the channel, or — when the company
        requires explicit consent — unless it opted in; email also needs an
        address that is not blacklisted."""
        if not self.ids:
            return self
        self.flush_model(["email_normalized", "commercial_partner_id"])
        self.env["ecrm.consent"].flush_model()
        self.env["mail.blacklist"].flush_model(["email", "active"])
        company = self.env.company
        email_checks = SQL("")
        if channel == "email":
            email_checks = SQL(
                """
                AND p.email_normalized IS NOT NULL
                AND NOT EXISTS (
                    SELECT 1 FROM mail_blacklist bl
                     WHERE bl.email = p.email_normalized AND bl.active
                )
                """
            )
        self.env.cr.execute(
            SQL(
                """
                SELECT p.id
                  FROM res_partner p
                  LEFT JOIN ecrm_consent c
                         ON c.partner_id = p.commercial_partner_id
                        AND c.company_id = %(company)s
                        AND c.channel = %(channel)s
                 WHERE p.id = ANY(%(ids)s)
                   AND COALESCE(c.state, %(default)s) = 'opt_in'
                   %(email_checks)s
                """,
                company=company.id,
                channel=channel,
                ids=self.ids,
                default="opt_out" if company.ecrm_consent_required else "opt_in",
                email_checks=email_checks,
            )
        )
        return self.browse(row[0] for row in self.env.cr.fetchall())

    def _ecrm_has_consent(self, channel):
        """Whether this partner may be contacted on ``channel``; every outgoing
        eCRM message checks it (see ``_ecrm_filter_consent``)."""
        self.ensure_one()
        return bool(self._ecrm_filter_consent(channel))

    def _ecrm_set_consent(self, channel, state, source, note=False):
        """Record what the customer said about ``channel`` (current company)."""
        Consent = self.env["ecrm.consent"]
        for partner in self.commercial_partner_id:
            consent = Consent.search(
                [
                    ("partner_id", "=", partner.id),
                    ("company_id", "=", self.env.company.id),
                    ("channel", "=", channel),
                ]
            )
            values = {"state": state, "source": source, "note": note}
            if consent:
                consent.write(values)
            else:
                Consent.create(dict(values, partner_id=partner.id, channel=channel))

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

    # ------------------------------------------------------------------
    # Proactive service
    # ------------------------------------------------------------------

    def _ecrm_proactive_followup(self, reason):
        """Ask each customer's salesperson to reach out before the customer
        complains, with the context (one open activity per customer)."""
        activity_type = self.env.ref("ecrm_core.mail_activity_type_proactive")
        busy = set(
            self.env["mail.activity"]
            .search(
                [
                    ("res_model", "=", "res.partner"),
                    ("res_id", "in", self.ids),
                    ("activity_type_id", "=", activity_type.id),
                ]
            )
            .mapped("res_id")
        )
        partners = self.filtered(lambda p: p.id not in busy)
        leaders = partners._ecrm_last_ticket_team_leaders()
        for partner in partners:
            user = partner.user_id or leaders.get(partner.id)
            if not user:
                continue
            partner.activity_schedule(
                activity_type_id=activity_type.id,
                summary=reason,
                note=partner._ecrm_followup_context(reason),
                user_id=user.id,
            )

    def _ecrm_last_ticket_team_leaders(self):
        """{partner id: leader of the team of their last ticket}, in one query."""
        tickets = self.env["helpdesk.ticket"].search(
            [
                ("commercial_partner_id", "in", self.ids),
                ("team_id.user_id", "!=", False),
            ],
            order="create_date desc",
        )
        leaders = {}
        for ticket in tickets:
            leaders.setdefault(ticket.commercial_partner_id.id, ticket.team_id.user_id)
        return leaders

    def _ecrm_followup_context(self, reason):
        self.ensure_one()
        orders = self.env["sale.order"].search(
            [("partner_id", "child_of", self.id), ("state", "=", "sale")],
            order="date_order desc",
            limit=3,
        )
        tickets = self.env["helpdesk.ticket"].search(
            [("commercial_partner_id", "=", self.id), ("closed", "=", False)]
        )
        rating = self.env["rating.rating"].search(
            [("partner_id", "child_of", self.id), ("consumed", "=", True)],
            order="write_date desc",
            limit=1,
        )
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
    # Levels set by hand
    # ------------------------------------------------------------------

    def _ecrm_pin_level(self, level_id, reason):
        """Pin the level ``level_id`` on these customers (current company)."""
        level = self.env["ecrm.level"].browse(level_id)
        Profile = self.env["ecrm.profile"]
        for partner in self.commercial_partner_id:
            old_level = partner.ecrm_level_id
            profile = partner.ecrm_profile_id or Profile.create(
                {"partner_id": partner.id, "lifecycle_stage": "selection"}
            )
            profile.write(
                {
                    "level_id": level.id,
                    "level_pinned": True,
                    "level_pin_reason": reason,
                    "level_below_since": False,
                }
            )
            self.env["ecrm.level.history"].create(
                {
                    "partner_id": partner.id,
                    "company_id": self.env.company.id,
                    "from_level_id": old_level.id,
                    "to_level_id": level.id,
                    "reason": "manual",
                    "note": reason,
                }
            )
            partner._message_log(
                body=partner._ecrm_level_change_body(old_level, level, reason)
            )

    def action_ecrm_unpin_level(self):
        partners = self.commercial_partner_id
        partners.ecrm_profile_id.write(
            {"level_pinned": False, "level_pin_reason": False}
        )
        # The manager's decision ends: the rules apply at once, without grace.
        partners.with_context(ecrm_skip_grace=True)._ecrm_recompute()

    def _ecrm_level_change_body(self, old_level, new_level, reason):
        text = self.env._(
            "eCRM level changed from %(old)s to %(new)s (%(reason)s).",
            old=old_level.name or self.env._("none"),
            new=new_level.name or self.env._("none"),
            reason=reason,
        )
        return Markup("<p>%s</p>") % text

    # ------------------------------------------------------------------
    # Set-based engine: RFM, CLV, churn risk, lifecycle stage and level
    # ------------------------------------------------------------------

    @api.model
    def _ecrm_cron_recompute(self):
        """Recompute every company's customers, one company per commit."""
        companies = self.env["res.company"].search([])  # pylint: disable=no-search-all
        auto_commit = not getattr(threading.current_thread(), "testing", False)
        for done, company in enumerate(companies, start=1):
            self.with_company(company)._ecrm_recompute_all()
            self.env["ir.cron"]._notify_progress(
                done=done, remaining=len(companies) - done
            )
            if auto_commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit

    @api.model
    def _ecrm_recompute_all(self):
        """Recompute every customer of the current company and refresh the RFM
        quintile boundaries."""
        self._ecrm_compute(self.env.company, None)

    def _ecrm_recompute(self):
        """Recompute these customers (their commercial partners) in the current
        company; scores are placed within the stored quintile boundaries."""
        partners = self.commercial_partner_id
        if not partners:
            return
        if not self.env.company.ecrm_rfm_cuts:
            self._ecrm_recompute_all()
            return
        self._ecrm_compute(self.env.company, partners.ids)

    @api.model
    def _ecrm_compute(self, company, partner_ids):
        self.env.flush_all()
        cr = self.env.cr
        today = fields.Date.context_today(self.with_company(company))
        # The planner's cost estimate of these queries triggers PostgreSQL's JIT
        # compilation, which alone takes seconds: measured 10x slower with it.
        cr.execute("SET LOCAL jit = off")
        cr.execute("DROP TABLE IF EXISTS ecrm_stats")
        # Aggregating the orders as they stream out of the covering index
        # needs no memory; hashing a million customers spills to disk
        # (measured 2x slower at 1 M customers).
        cr.execute("SET LOCAL enable_hashagg = off")
        cr.execute(self._ecrm_stats_query(company, partner_ids, today))
        cr.execute("RESET enable_hashagg")
        if partner_ids is None:
            # the plans of the next statements depend on how many customers
            # are in which stage
            cr.execute("ANALYZE ecrm_stats (partner_id, stage)")
        recount_all = (
            partner_ids is not None
            or company.ecrm_extension_counted != company.ecrm_extension_categories
        )
        cr.execute(self._ecrm_extension_query(company, recount_all))
        if partner_ids is None:
            cr.execute(
                """
                SELECT percentile_disc(ARRAY[0.2, 0.4, 0.6, 0.8])
                           WITHIN GROUP (ORDER BY recency),
                       percentile_disc(ARRAY[0.2, 0.4, 0.6, 0.8])
                           WITHIN GROUP (ORDER BY frequency),
                       percentile_disc(ARRAY[0.2, 0.4, 0.6, 0.8])
                           WITHIN GROUP (ORDER BY monetary)
                  FROM ecrm_stats
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
        else:
            cuts = company.ecrm_rfm_cuts
        cr.execute(self._ecrm_update_query(company, cuts, today))
        rows = cr.fetchall()
        if partner_ids is None:
            # A first run creates every profile at once: the next run's plans
            # need statistics that know it, whatever autovacuum did meanwhile.
            cr.execute(
                """
                SELECT reltuples < (SELECT count(*) FROM ecrm_stats) / 2
                  FROM pg_class
                 WHERE oid = 'ecrm_profile'::regclass
                """
            )
            if cr.fetchone()[0]:
                cr.execute("ANALYZE ecrm_profile")
        cr.execute("DROP TABLE ecrm_stats")
        cr.execute("RESET jit")
        self.env.invalidate_all()
        self._ecrm_log_level_changes(
            company, [row[:4] for row in rows if row[1] and row[3]]
        )
        # a first classification (from selection) is no change
        at_risk = self.browse(
            row[0]
            for row in rows
            if row[5] == "at_risk" and row[4] not in ("at_risk", "selection")
        )
        at_risk.with_company(company)._ecrm_proactive_followup(
            self.env._("The customer is now at risk of churning.")
        )
        self.env["ecrm.profile.engine"].with_company(company)._ecrm_post_run(
            company,
            [(row[0], row[1], row[2]) for row in rows if row[3]],
            [(row[0], row[4], row[5]) for row in rows if row[4] != row[5]],
        )

    @api.model
    def _ecrm_stats_query(self, company, partner_ids, today):
        """Per customer of ``company``: order statistics, then churn risk,
        lifecycle stage and CLV, into the temporary table ``ecrm_stats``.
        Repeat customers who are neither at risk nor churned are put in
        *retention* here; ``_ecrm_extension_query`` moves those who bought in
        enough categories to *extension*."""
        window_start = today - timedelta(days=company.ecrm_window_days)
        tomorrow = today + timedelta(days=1)
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
        # most orders are in the company currency: no numeric division for them
        amount = SQL(
            """
            CASE WHEN so.currency_rate = 1 THEN so.amount_untaxed
                 ELSE so.amount_untaxed / COALESCE(NULLIF(so.currency_rate, 0), 1)
            END
            """
        )
        return SQL(
            """
            CREATE TEMP TABLE ecrm_stats ON COMMIT DROP AS
            WITH agg AS (
                -- an index-only scan of sale_order_ecrm_stats_index,
                -- aggregated as it streams
                SELECT so.ecrm_commercial_partner_id AS partner_id,
                       count(*) AS orders,
                       min(so.date_order)::date AS first_day,
                       max(so.date_order)::date AS last_day,
                       sum(%(amount)s) AS amount,
                       count(*) FILTER (WHERE so.date_order >= %(window_start)s)
                           AS frequency,
                       COALESCE(sum(%(amount)s)
                                FILTER (WHERE so.date_order >= %(window_start)s), 0)
                           AS window_amount
                  FROM sale_order so
                 WHERE so.company_id = %(company)s
                   AND so.state = 'sale'
                   AND so.date_order < %(tomorrow)s
                   %(only_orders)s
                 GROUP BY so.ecrm_commercial_partner_id
            ), refunds AS (
                SELECT am.commercial_partner_id AS partner_id,
                       -sum(am.amount_untaxed_signed) AS amount,
                       -COALESCE(sum(am.amount_untaxed_signed)
                                 FILTER (WHERE am.invoice_date >= %(window_start)s), 0)
                           AS window_amount
                  FROM account_move am
                 WHERE am.company_id = %(company)s
                   AND am.move_type = 'out_refund'
                   AND am.state = 'posted'
                   AND am.invoice_date < %(tomorrow)s
                   %(only_refunds)s
                 GROUP BY am.commercial_partner_id
            ), base AS (
                SELECT partner_id,
                       agg.orders,
                       agg.first_day,
                       agg.last_day,
                       %(today)s - agg.last_day AS recency,
                       COALESCE(agg.frequency, 0) AS frequency,
                       round((COALESCE(agg.window_amount, 0)
                              - COALESCE(refunds.window_amount, 0))::numeric, 2)
                           AS monetary,
                       agg.amount / agg.orders AS aov,
                       COALESCE(agg.amount, 0) - COALESCE(refunds.amount, 0)
                           AS historical,
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
            ), staged AS (
                SELECT base.*,
                       CASE WHEN orders IS NULL THEN 'selection'
                            WHEN recency >= %(churn)s THEN 'churned'
                            WHEN recency >= risk_days THEN 'at_risk'
                            WHEN orders = 1 THEN 'acquisition'
                            ELSE 'retention'
                       END AS stage
                  FROM base
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
            tomorrow=tomorrow,
            today=today,
            window_start=window_start,
            window=company.ecrm_window_days,
            amount=amount,
            only_orders=only_orders,
            only_refunds=only_refunds,
            population=population,
            k=company.ecrm_at_risk_factor,
            acquisition=company.ecrm_acquisition_days,
            churn=company.ecrm_churn_days,
            horizon=company.ecrm_clv_horizon_years,
        )

    @api.model
    def _ecrm_extension_query(self, company, recount_all):
        """Move the customers of ``ecrm_stats`` in *retention* who bought in at
        least the extension number of product categories to *extension*.

        The categories bought only change with the customer's confirmed order
        lines, and every change of those recomputes the customer at once
        (``sale.order`` and ``sale.order.line`` hooks, ``recount_all``). So
        the full recompute recounts only the customers whose number of orders
        moved since their profile was written (or who were not repeat
        customers then) and keeps the others' verdict: reading every order
        line of every customer each night is the costliest part otherwise."""
        kept = SQL("SELECT NULL::int AS partner_id WHERE FALSE")
        recount = SQL("SELECT partner_id FROM ecrm_stats WHERE stage = 'retention'")
        if not recount_all:
            same_orders = SQL(
                """
                FROM ecrm_stats s
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
        return SQL(
            """
            UPDATE ecrm_stats s
               SET stage = 'extension'
              FROM (
                %(kept)s
                 UNION ALL
                SELECT p.commercial_partner_id
                  FROM sale_order_line sol
                  JOIN res_partner p ON p.id = sol.order_partner_id
                  JOIN product_product pp ON pp.id = sol.product_id
                  JOIN product_template pt ON pt.id = pp.product_tmpl_id
                 WHERE sol.company_id = %(company)s
                   AND sol.state = 'sale'
                   AND sol.display_type IS NULL
                   AND p.commercial_partner_id IN (%(recount)s)
                 GROUP BY p.commercial_partner_id
                HAVING count(DISTINCT pt.categ_id) >= %(extension)s
              ) extended
             WHERE s.partner_id = extended.partner_id
            """,
            kept=kept,
            recount=recount,
            company=company.id,
            extension=company.ecrm_extension_categories,
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
    def _ecrm_level_sql(self, company, today):
        """CASE expression giving the highest level of the ladder whose rule
        the scored row ``s`` meets."""
        levels = (
            self.env["ecrm.level"]
            .sudo()
            .search(
                self.env["ecrm.level"]._ladder_domain(company),
                order="sequence desc, id desc",
            )
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
            domain = safe_eval(level.domain or "[]")
            if domain:
                query = self.with_company(company).sudo()._search(domain)
                conditions.append(SQL("s.partner_id IN %s", query.subselect()))
            whens.append(
                SQL("WHEN %s THEN %s", SQL(" AND ").join(conditions), level.id)
            )
        if not whens:
            return SQL("NULL::int")
        return SQL("CASE %s END", SQL(" ").join(whens))

    @api.model
    def _ecrm_update_query(self, company, cuts, today):
        """Score ``ecrm_stats``, decide levels (upgrades at once, downgrades
        after the grace period, pinned levels kept), write the profiles that
        changed and the histories in one statement; returns the level changes
        of customers who already had a level and the customers who entered
        "at risk"."""
        cuts = cuts or {}
        grace_start = today - timedelta(days=company.ecrm_downgrade_grace_days)
        # profile column <- column of the decided row ``f``
        profile = {
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
        }
        columns = SQL(", ").join(SQL.identifier(column) for column in profile)
        values = SQL(", ").join(
            SQL.identifier("f", source) for source in profile.values()
        )
        current = SQL(", ").join(SQL.identifier("pr", column) for column in profile)
        fields_ = self.env["ecrm.profile"]._fields
        # typed like the profile's columns, to compare them as one row
        typed = SQL(", ").join(
            SQL(
                "%s::%s",
                SQL.identifier("f", source),
                SQL(fields_[column].column_type[1]),
            )
            for column, source in profile.items()
        )
        sources = SQL(", ").join(SQL.identifier(source) for source in profile.values())
        return SQL(
            """
            WITH scored AS (
                SELECT s.*,
                       %(r)s AS r_score,
                       %(f)s AS f_score,
                       %(m)s AS m_score
                  FROM ecrm_stats s
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
            ), created AS (
                INSERT INTO ecrm_profile
                       (partner_id, company_id, %(columns)s,
                        create_uid, create_date, write_uid, write_date)
                SELECT f.partner_id, %(company)s, %(values)s,
                       %(uid)s, now() at time zone 'UTC',
                       %(uid)s, now() at time zone 'UTC'
                  FROM f
                 WHERE f.profile_id IS NULL
            ), level_history AS (
                INSERT INTO ecrm_level_history
                       (partner_id, company_id, date, from_level_id, to_level_id,
                        reason, user_id, create_uid, create_date, write_uid,
                        write_date)
                SELECT partner_id, %(company)s, now() at time zone 'UTC', old_level,
                       new_level, level_reason, %(uid)s, %(uid)s,
                       now() at time zone 'UTC', %(uid)s, now() at time zone 'UTC'
                  FROM f
                 WHERE level_reason IS NOT NULL
            ), stage_history AS (
                INSERT INTO ecrm_lifecycle_history
                       (partner_id, company_id, date, from_stage, to_stage,
                        create_uid, create_date, write_uid, write_date)
                SELECT partner_id, %(company)s, %(today)s, old_stage, stage,
                       %(uid)s, now() at time zone 'UTC', %(uid)s,
                       now() at time zone 'UTC'
                  FROM f
                 WHERE stage <> old_stage
            )
            SELECT partner_id, old_level, new_level, level_reason, old_stage, stage
              FROM f
             WHERE level_reason IS NOT NULL OR stage <> old_stage
            """,
            r=self._ecrm_score_sql("recency", cuts.get("r"), higher_is_better=False),
            f=self._ecrm_score_sql("frequency", cuts.get("f"), higher_is_better=True),
            m=self._ecrm_score_sql("monetary", cuts.get("m"), higher_is_better=True),
            level=self._ecrm_level_sql(company, today),
            today=today,
            grace_start=grace_start,
            skip_grace=bool(self.env.context.get("ecrm_skip_grace")),
            columns=columns,
            values=values,
            current=current,
            sources=sources,
            typed=typed,
            company=company.id,
            uid=self.env.uid,
        )

    @api.model
    def _ecrm_log_level_changes(self, company, changes):
        """Post a level change in the chatter of each customer whose level
        moved (first assignments are in the level history only)."""
        levels = self.env["ecrm.level"].sudo().with_context(active_test=False)
        reasons = dict(
            self.env["ecrm.level.history"]
            ._fields["reason"]
            ._description_selection(self.env)
        )
        for start in range(0, len(changes), CHATTER_BATCH):
            batch = changes[start : start + CHATTER_BATCH]
            partners = self.browse(row[0] for row in batch)
            partners._message_log_batch(
                bodies={
                    partner_id: self._ecrm_level_change_body(
                        levels.browse(old), levels.browse(new), reasons[reason]
                    )
                    for partner_id, old, new, reason in batch
                }
            )
