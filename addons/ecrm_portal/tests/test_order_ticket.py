# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import HttpCase, JsonRpcException, tagged
from odoo.tools import mute_logger

from .common import EcrmPortalCommon


@tagged("post_install", "-at_install")
class TestOrderTicket(EcrmPortalCommon, HttpCase):
    """ "Problem with this order?": helpdesk_mgmt's ticket form about one of
    the customer's own orders, linked through helpdesk_mgmt_sale, and the FAQ
    articles suggested while the subject is typed."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.order = cls._order()
        cls.order_b = cls._order(partner=cls.partner_b)
        Article = cls.env["ecrm.faq.article"]
        cls.articles = Article.create(
            [
                {
                    "name": f"Parcel question {n}",
                    "keywords": "parcel",
                    "is_published": True,
                }
                for n in range(7)
            ]
        )
        other_company = cls.env["res.company"].create({"name": "eCRM Other Co"})
        cls.hidden = Article.create(
            [
                {"name": "Parcel draft", "keywords": "parcel", "is_published": False},
                {
                    "name": "Parcel elsewhere",
                    "keywords": "parcel",
                    "company_id": other_company.id,
                },
            ]
        )

    def csrf(self, url):
        page = self.url_open(url).text
        return page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]

    def submit(self, order_id):
        token = self.csrf("/new/ticket")
        return self.url_open(
            "/submitted/ticket",
            data={
                "csrf_token": token,
                "subject": "The lid is broken",
                "description": "It arrived broken.",
                "sale_order_id": order_id,
            },
            allow_redirects=False,
        )

    def tickets(self):
        return self.env["helpdesk.ticket"].search(
            [("partner_id", "in", (self.partner_a | self.partner_b).ids)]
        )

    def test_ticket_from_own_order(self):
        self.authenticate(self.user_a.login, self.user_a.login)
        order_page = self.url_open(self.order.get_portal_url()).text
        self.assertIn(f"/new/ticket?sale_order_id={self.order.id}", order_page)
        form = self.url_open(f"/new/ticket?sale_order_id={self.order.id}")
        self.assertEqual(form.status_code, 200)
        self.assertIn("o_ecrm_ticket_order", form.text)
        self.assertIn(self.order.name, form.text)
        reply = self.submit(self.order.id)
        self.assertEqual(reply.status_code, 302)
        ticket = self.tickets()
        self.assertEqual(len(ticket), 1)
        self.assertTrue(reply.headers["Location"].endswith(f"/my/ticket/{ticket.id}"))
        self.assertEqual(ticket.sale_order_ids, self.order)
        self.assertEqual(ticket.company_id, self.order.company_id)
        self.assertEqual(ticket.partner_id, self.partner_a)
        self.assertEqual(self.order.ticket_ids, ticket)
        # the customer reads it on their portal
        self.assertEqual(self.url_open(f"/my/ticket/{ticket.id}").status_code, 200)

    def test_ticket_without_order_unchanged(self):
        self.authenticate(self.user_a.login, self.user_a.login)
        self.assertNotIn("o_ecrm_ticket_order", self.url_open("/new/ticket").text)
        self.assertEqual(self.submit("").status_code, 302)
        self.assertFalse(self.tickets().sale_order_ids)

    @mute_logger("odoo.http")
    def test_other_customers_order_refused(self):
        self.authenticate(self.user_a.login, self.user_a.login)
        self.assertNotIn(
            "o_ecrm_order_problem",
            self.url_open(self.order_b.get_portal_url()).text,
        )
        for order_id in (self.order_b.id, "x", "-1", "99999999999999", "9999999"):
            self.assertEqual(
                self.url_open(f"/new/ticket?sale_order_id={order_id}").status_code,
                404,
                order_id,
            )
            self.assertEqual(self.submit(order_id).status_code, 404, order_id)
        self.assertFalse(self.tickets())

    def suggest(self, subject, order_id=None):
        return self.make_jsonrpc_request(
            "/ecrm/ticket/suggestions",
            {"subject": subject, "sale_order_id": order_id or self.order.id},
        )

    def test_suggestions_published_at_most_five(self):
        self.authenticate(self.user_a.login, self.user_a.login)
        found = self.suggest("my parcel is late")
        self.assertEqual(len(found), 5)
        names = {article["name"] for article in found}
        self.assertLessEqual(names, set(self.articles.mapped("name")))
        self.assertTrue(all(a["url"].startswith("/help/") for a in found))
        self.assertEqual(self.url_open(found[0]["url"]).status_code, 200)
        self.assertEqual(self.suggest("ok"), [])
        self.assertEqual(self.suggest(["parcel"]), [])
        with self.assertRaises(JsonRpcException), mute_logger("odoo.http"):
            self.suggest("parcel", self.order_b.id)
        self.authenticate(None, None)
        with self.assertRaises(JsonRpcException), mute_logger("odoo.http"):
            self.suggest("parcel")
