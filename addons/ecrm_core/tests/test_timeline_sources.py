# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta
from unittest.mock import patch

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged
from odoo.tools import SQL

from .common import EcrmCase


@tagged("post_install", "-at_install")
class TestTimelineSources(EcrmCase):
    """The timeline sources not covered by test_timeline (deliveries, emails on
    the partner, ratings), the extension point for other addons, access rights
    and the preferences shown next to the timeline."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls._customer(
            "Sources Ltd", is_company=True, email="s@sources.example"
        )
        cls.contact = cls._customer(
            "Sam", parent_id=cls.customer.id, email="sam@sources.example"
        )
        cls.goods = cls.env["product.product"].create(
            {"name": "eCRM parcel", "type": "consu", "taxes_id": False}
        )

    def _timeline(self, kind):
        return self.env["ecrm.interaction"].search(
            [("partner_id", "=", self.customer.id), ("kind", "=", kind)]
        )

    def test_done_delivery_is_outgoing(self):
        order = self._order(self.contact, 50, self.TODAY, product=self.goods)
        picking = order.picking_ids
        self.assertFalse(self._timeline("delivery"), "not shipped yet")
        picking.move_ids.write({"quantity": 1, "picked": True})
        picking.button_validate()
        delivery = self._timeline("delivery")
        self.assertEqual(
            (delivery.res_model, delivery.res_id, delivery.channel),
            ("stock.picking", picking.id, "delivery"),
        )
        self.assertEqual(
            (delivery.direction, delivery.company_id), ("out", self.company)
        )

    def test_emails_on_the_customer_in_and_out(self):
        self.contact.message_post(
            body="Can I change my address?",
            message_type="email",
            subtype_xmlid="mail.mt_comment",
            author_id=self.contact.id,
        )
        self.customer.message_post(
            body="Address changed",
            message_type="email",
            subtype_xmlid="mail.mt_comment",
            author_id=self.env.user.partner_id.id,
        )
        emails = self._timeline("email")
        self.assertEqual(
            {(e.summary, e.direction, e.channel) for e in emails},
            {
                ("Can I change my address?", "in", "email"),
                ("Address changed", "out", "email"),
            },
        )

    def test_discussion_on_an_order_not_notes(self):
        order = self._order(self.contact, 30, self.TODAY)
        order.message_post(
            body="Your order ships tomorrow",
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        order.message_post(
            body="Please gift-wrap it",
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            author_id=self.contact.id,
        )
        order.message_post(body="Customer is picky", subtype_xmlid="mail.mt_note")
        emails = self._timeline("email")
        self.assertEqual(
            {(e.summary, e.direction, e.channel, e.company_id) for e in emails},
            {
                ("Your order ships tomorrow", "out", "email", self.company),
                ("Please gift-wrap it", "in", "portal", self.company),
            },
        )

    def test_consumed_rating_of_a_ticket(self):
        ticket = self.env["helpdesk.ticket"].create(
            {
                "name": "Broken lid",
                "description": "<p>The lid broke</p>",
                "partner_id": self.contact.id,
                "company_id": self.company.id,
            }
        )
        values = {
            "res_model_id": self.env["ir.model"]._get_id("helpdesk.ticket"),
            "res_id": ticket.id,
            "partner_id": self.contact.id,
            "rating": 5,
            "feedback": "Quick fix",
        }
        ratings = self.env["rating.rating"].create(
            [dict(values, consumed=True), dict(values, consumed=False)]
        )
        rating = self._timeline("rating")
        self.assertEqual(
            (rating.res_id, rating.summary, rating.direction, rating.company_id),
            (ratings[0].id, "top: Quick fix", "in", self.company),
        )
        action = rating.action_open_source()
        self.assertEqual(
            (action["res_model"], action["res_id"]), ("helpdesk.ticket", ticket.id)
        )

    def test_another_addon_adds_a_source(self):
        """What an addon does: override ``_ecrm_interaction_sources`` with
        super() plus its SELECT, and the view is rebuilt from it."""
        quotation = self._order(self.contact, 80, self.TODAY, confirm=False)
        quotation.state = "sent"
        Interaction = self.env["ecrm.interaction"]
        registry_class = type(Interaction)
        core_sources = registry_class._ecrm_interaction_sources

        def sources_with_quotations(model):
            return {
                **core_sources(model),
                40: SQL(
                    """
                    SELECT so.create_date, p.commercial_partner_id, so.company_id,
                           'email', 'out', 'proactive', 'order', so.name,
                           'sale.order', so.id
                      FROM sale_order so
                      JOIN res_partner p ON p.id = so.partner_id
                     WHERE so.state = 'sent'
                    """
                ),
            }

        self.assertFalse(self._timeline("order"))
        with patch.object(
            registry_class, "_ecrm_interaction_sources", sources_with_quotations
        ):
            Interaction.init()
        offer = self._timeline("order")
        self.assertEqual(
            (offer.res_id, offer.initiative, offer.direction),
            (quotation.id, "proactive", "out"),
        )

    def test_portal_users_have_no_access(self):
        portal = new_test_user(
            self.env,
            login="ecrm_sources_portal",
            groups="base.group_portal",
            partner_id=self.contact.id,
        )
        for model in ("ecrm.interaction", "ecrm.interaction.log", "ecrm.consent"):
            with self.assertRaises(AccessError, msg=model):
                self.env[model].with_user(portal).search([])

    def test_ecrm_user_logs_but_does_not_delete(self):
        user = new_test_user(
            self.env,
            login="ecrm_sources_user",
            groups="base.group_user,ecrm_core.group_ecrm_user",
            company_ids=[(6, 0, self.company.ids)],
            company_id=self.company.id,
        )
        log = (
            self.env["ecrm.interaction.log"]
            .with_user(user)
            .create({"partner_id": self.customer.id, "summary": "Met at the fair"})
        )
        self.assertEqual(log.company_id, self.company)
        with self.assertRaises(AccessError):
            log.unlink()

    def test_consent_change_is_tracked(self):
        self.customer._ecrm_set_consent("sms", "opt_in", "import")
        consent = self.customer.ecrm_consent_ids
        # What commits do: the creation is logged, then changes are tracked.
        self.env.flush_all()
        self.env.cr.precommit.run()
        self.customer._ecrm_set_consent("sms", "opt_out", "email", note="STOP")
        self.env.flush_all()
        self.env.cr.precommit.run()
        tracked = consent.message_ids.tracking_value_ids.filtered(
            lambda t: t.field_id.name == "state"
        )
        self.assertEqual(
            (tracked.old_value_char, tracked.new_value_char), ("Opted in", "Opted out")
        )

    def test_inferred_categories_top_spend_in_one_query(self):
        cheap, dear, _unbought = self.products
        day = self.TODAY - timedelta(days=3)
        self._order(self.contact, 10, day, product=cheap)
        self._order(self.customer, 90, day, product=dear)
        other_company = self.env["res.company"].create({"name": "Other cat Co"})
        partners = self.customer | self.contact | self._customer("Nobody")
        self.env.flush_all()
        partners.mapped("commercial_partner_id")
        with self.assertQueryCount(1):
            partners.mapped("ecrm_inferred_category_ids")
        expected = (dear | cheap).categ_id
        self.assertEqual(self.customer.ecrm_inferred_category_ids.ids, expected.ids)
        self.assertEqual(self.contact.ecrm_inferred_category_ids, expected)
        self.assertFalse(partners[2].ecrm_inferred_category_ids)
        self.env.user.company_ids |= other_company
        self.assertFalse(
            self.customer.with_company(other_company).ecrm_inferred_category_ids
        )
