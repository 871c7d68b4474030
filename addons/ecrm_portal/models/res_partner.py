# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import SUPERUSER_ID, Command, api, fields, models, tools
from odoo.tools import SQL

RECOMMENDATIONS = 4
# candidates ranked in SQL (cached per day), of which the first buyable ones are
# shown: publishing or archiving a product changes the cards the same day
CANDIDATES = 3 * RECOMMENDATIONS


class ResPartner(models.Model):
    _inherit = "res.partner"

    def _ecrm_portal_home_blocks(self):
        """The blocks of the customer's portal home (``self``: the signed-in
        user's commercial partner), as dicts ``{"key", "name", "sequence",
        "template"}``. The home renders the visible ones in the user's order,
        each by ``t-call`` of its template with ``partner`` and ``block`` in the
        context. Other addons add theirs with ``super()`` + append; a block's
        template reads its data through a method of its own addon."""
        self.ensure_one()
        return [
            {
                "key": "level",
                "name": self.env._("My level"),
                "sequence": 10,
                "template": "ecrm_portal.portal_home_block_level",
            },
            {
                "key": "orders",
                "name": self.env._("My recent orders"),
                "sequence": 20,
                "template": "ecrm_portal.portal_home_block_orders",
            },
            {
                "key": "recommendations",
                "name": self.env._("Recommended for you"),
                "sequence": 30,
                "template": "ecrm_portal.portal_home_block_recommendations",
            },
        ]

    def _ecrm_portal_level_values(self):
        """The customer's level, what it unlocks, and how far the next level
        is, read from the profile and the next level's own thresholds."""
        self.ensure_one()
        profile = self.sudo().with_company(self.env.company).ecrm_profile_id
        level = profile.level_id
        next_level = (
            level._ecrm_next_level(self.env.company)
            if level
            else (self.env["ecrm.level"].sudo()._ecrm_next_level(self.env.company))
        )
        return {
            "level": level,
            "services": level.service_ids,
            "next_level": next_level,
            "progress": next_level._ecrm_progress(profile) if next_level else None,
        }

    def _ecrm_portal_interest_field(self):
        """The field of the commercial partner that holds the categories of
        interest chosen on /my/preferences: ecrm_core's product categories;
        with the eCommerce, ``ecrm_portal_website_sale`` makes it the shop's
        public categories."""
        return "ecrm_category_ids"

    def _ecrm_portal_interest_choices(self):
        """The categories offered on /my/preferences, as ``(category,
        label)``, of the model of ``_ecrm_portal_interest_field``."""
        return self._ecrm_portal_product_categories()

    def _ecrm_portal_product_categories(self):
        """The categories of the company's saleable products, by their own
        name (never the accounting or costing groupings that hold none, nor
        the "All / ..." path), as ``(category, label)``."""
        groups = (
            self.env["product.template"]
            .sudo()
            ._read_group(
                [
                    ("sale_ok", "=", True),
                    ("company_id", "in", [False, self.env.company.id]),
                ],
                ["categ_id"],
            )
        )
        categories = self.env["product.category"].union(*(c for (c,) in groups))
        return [(category, category.name) for category in categories.sorted("name")]

    def _ecrm_portal_set_interests(self, chosen_ids):
        """Save the categories ticked among those offered: a category chosen
        earlier and no longer offered (its products unpublished, the list
        switched to the shop's categories) is kept, not dropped by a form
        that did not show it."""
        self.ensure_one()
        field = self._ecrm_portal_interest_field()
        offered = {
            category.id for category, _label in self._ecrm_portal_interest_choices()
        }
        kept = [cid for cid in self[field].ids if cid not in offered]
        wanted = [cid for cid in chosen_ids if cid in offered]
        self[field] = [Command.set(kept + wanted)]

    def _ecrm_portal_recent_orders(self, limit=5):
        """The customer's latest confirmed orders, read with the user's own
        rights (the portal rules of sale)."""
        return self.env["sale.order"].search(
            [("state", "=", "sale"), ("partner_id", "child_of", self.id)],
            order="date_order desc",
            limit=limit,
        )

    def _ecrm_portal_recommendations(self):
        """The product cards of "Recommended for you" (see
        ``product.product._ecrm_portal_cards``): the first recommended
        products the customer can buy now (published, saleable, of the
        company), at most ``RECOMMENDATIONS``."""
        self.ensure_one()
        product_ids = self._ecrm_recommended_product_ids(
            self.id, self.env.company.id, fields.Date.context_today(self)
        )
        products = self.env["product.product"].sudo().browse(product_ids).exists()
        buyable = products._ecrm_portal_buyable()[:RECOMMENDATIONS]
        return buyable._ecrm_portal_cards(self)

    @api.model
    @tools.ormcache("partner_id", "company_id", "day")
    def _ecrm_recommended_product_ids(self, partner_id, company_id, day):
        """Products for the customer, in one query, cached per customer and
        day: bought together with theirs by other customers, then best sellers
        of the categories they buy, then best sellers; only saleable, active
        products, never a consumable they already bought."""
        self.env.cr.execute(
            SQL(
                """
                WITH mine AS (
                    SELECT DISTINCT l.product_id
                      FROM sale_order_line l
                      JOIN sale_order o ON o.id = l.order_id
                     WHERE o.state = 'sale' AND o.company_id = %(company)s
                       AND o.ecrm_commercial_partner_id = %(partner)s
                       AND l.product_id IS NOT NULL
                ), recent AS (
                    SELECT l.order_id, l.product_id
                      FROM sale_order_line l
                      JOIN sale_order o ON o.id = l.order_id
                     WHERE o.state = 'sale' AND o.company_id = %(company)s
                       AND o.date_order > now() - interval '1 year'
                       AND l.product_id IS NOT NULL
                ), together AS (
                    SELECT r2.product_id, count(*) * 100 AS score
                      FROM recent r1
                      JOIN recent r2 ON r2.order_id = r1.order_id
                                    AND r2.product_id <> r1.product_id
                     WHERE r1.product_id IN (SELECT product_id FROM mine)
                     GROUP BY r2.product_id
                ), categories AS (
                    SELECT DISTINCT t.categ_id
                      FROM mine JOIN product_product p ON p.id = mine.product_id
                      JOIN product_template t ON t.id = p.product_tmpl_id
                ), sellers AS (
                    SELECT r.product_id,
                           count(*) * CASE WHEN t.categ_id IN (SELECT categ_id
                                                                FROM categories)
                                           THEN 10 ELSE 1 END AS score
                      FROM recent r
                      JOIN product_product p ON p.id = r.product_id
                      JOIN product_template t ON t.id = p.product_tmpl_id
                     GROUP BY r.product_id, t.categ_id
                )
                SELECT s.product_id
                  FROM (SELECT * FROM together UNION ALL SELECT * FROM sellers) s
                  JOIN product_product p ON p.id = s.product_id AND p.active
                  JOIN product_template t ON t.id = p.product_tmpl_id
                 WHERE t.sale_ok AND t.active
                   AND (t.company_id IS NULL OR t.company_id = %(company)s)
                   AND NOT (t.type = 'consu'
                            AND s.product_id IN (SELECT product_id FROM mine))
                 GROUP BY s.product_id
                 ORDER BY sum(s.score) DESC, s.product_id
                 LIMIT %(limit)s
                """,
                partner=partner_id,
                company=company_id,
                limit=CANDIDATES,
            )
        )
        return tuple(row[0] for row in self.env.cr.fetchall())

    def _ecrm_portal_export(self):
        """What the suite holds about this customer (a commercial partner),
        for the customer: the profiles, consents, timeline, tracking events
        and ratings — read as superuser, restricted to this customer."""
        self.ensure_one()
        partner = self.sudo()
        contacts = partner.search([("id", "child_of", partner.id)])

        def rows(records, names):
            return [
                {
                    name: record._fields[name].convert_to_read(record[name], record)
                    for name in names
                }
                for record in records
            ]

        data = {
            "customer": rows(
                partner, ["name", "email", "phone", "ecrm_preferred_channel"]
            ),
            "profiles": rows(
                partner.ecrm_profile_ids,
                [
                    "company_id",
                    "level_id",
                    "lifecycle_stage",
                    "rfm_segment",
                    "first_order_date",
                    "last_order_date",
                    "frequency",
                    "monetary",
                    "clv",
                ],
            ),
            "consents": rows(
                partner.ecrm_consent_ids,
                ["company_id", "channel", "state", "date", "source"],
            ),
            "timeline": rows(
                self.env["ecrm.interaction"]
                .sudo()
                .search([("partner_id", "=", partner.id)], order="date desc"),
                ["date", "company_id", "channel", "direction", "kind", "summary"],
            ),
            "ratings": rows(
                self.env["rating.rating"]
                .sudo()
                .search([("partner_id", "in", contacts.ids), ("consumed", "=", True)]),
                ["create_date", "res_model", "rating", "feedback"],
            ),
        }
        if "ecrm.tracking.event" in self.env:
            data["tracking_events"] = rows(
                self.env["ecrm.tracking.event"]
                .sudo()
                .search([("partner_id", "=", partner.id)]),
                ["date", "state", "source", "note"],
            )
        return data

    # ------------------------------------------------------------------
    # The right to be forgotten, asked from the portal
    # ------------------------------------------------------------------

    def _ecrm_forget_pending(self):
        """The customer's open request to be forgotten (an activity)."""
        self.ensure_one()
        return (
            self.env["mail.activity"]
            .sudo()
            .search(
                [
                    ("res_model", "=", "res.partner"),
                    ("res_id", "=", self.id),
                    (
                        "activity_type_id",
                        "=",
                        self.env.ref("ecrm_portal.mail_activity_type_forget").id,
                    ),
                ],
                limit=1,
            )
        )

    def _ecrm_forget_officer(self, company):
        """Who reviews the requests of ``company``: its privacy officer, or
        the first user allowed to anonymise contacts in it."""
        anonymizers = (
            self.env.ref("privacy_partner_to_be_forgotten.group_partner_anonymize")
            .sudo()
            .users.filtered(lambda user: company in user.company_ids)
        )
        return (
            company.ecrm_forget_user_id
            or anonymizers.sorted("id")[:1]
            or self.env.ref("base.user_admin")
        )

    def _ecrm_forget_request(self):
        """The customer (``self``: the contact of their own user) asks to be
        forgotten. By the company's setting, an activity for the privacy
        officer (logged on the contact) or the erasure at once. True when
        the data is erased."""
        self.ensure_one()
        company = self.env.company
        if company.ecrm_forget_mode == "immediate":
            self._ecrm_forget_now()
            return True
        partner = self.sudo()
        if not partner._ecrm_forget_pending():
            partner.message_post(
                body=self.env._("The customer asked to be forgotten (portal)."),
                subtype_xmlid="mail.mt_note",
            )
            partner.activity_schedule(
                "ecrm_portal.mail_activity_type_forget",
                user_id=self._ecrm_forget_officer(company).id,
                note=self.env._(
                    "Check what the law requires to keep (open orders, unpaid "
                    "invoices, disputes), then run Action > Anonymize (GDPR) on "
                    "this contact. The answer is due within one month (GDPR, "
                    "art. 12(3))."
                ),
            )
        return False

    def _ecrm_forget_now(self):
        """What OCA's wizard does for these contacts and their children, run
        as the superuser: the customer erases their own data, so the wizard's
        check that the user may anonymise contacts does not apply, and its log
        line names no one ("by OdooBot")."""
        env = self.env(user=SUPERUSER_ID, su=True)
        wizard = (
            env["partner.anonymize.wizard"]
            .with_context(active_ids=self.ids, active_test=False)
            .create({})
        )
        for partner in wizard.partner_ids:
            partner.anonymize_partner_data()
        wizard._ecrm_forget(wizard.partner_ids)
