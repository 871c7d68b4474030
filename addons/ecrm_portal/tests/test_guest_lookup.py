# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from unittest.mock import patch

from odoo.tests import HttpCase, tagged
from odoo.tools import config

from odoo.addons.mail.tests.common import MockEmail

from .common import EcrmPortalCommon


@tagged("post_install", "-at_install")
class TestGuestLookup(EcrmPortalCommon, HttpCase):
    """/track: reference + email → the order's access-token page; one generic
    answer for every wrong pair; tries limited per IP and per reference."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.order_a = cls._order()
        cls.order_b = cls._order(partner=cls.partner_b)
        cls.draft = cls._order(confirm=False)
        cls.company.ecrm_lookup_max_tries = 20

    def lookup(self, reference, email, csrf=True, ip=None):
        """``ip``: the client's address, as a reverse proxy forwards it."""
        headers = {}
        if ip:
            self.enterContext(patch.dict(config.options, proxy_mode=True))
            headers = {
                "X-Forwarded-For": ip,
                "X-Forwarded-Host": f"127.0.0.1:{self.http_port()}",
            }
        page = self.url_open("/track", headers=headers).text
        data = {"reference": reference, "email": email}
        if csrf:
            data["csrf_token"] = page.split('name="csrf_token" value="', 1)[1].split(
                '"', 1
            )[0]
        return self.url_open(
            "/track", data=data, allow_redirects=False, headers=headers
        )

    def test_linked_from_the_footer(self):
        self.assertIn('href="/track"', self.url_open("/help").text)

    def test_the_right_pair_opens_the_order(self):
        reply = self.lookup(f" {self.order_a.name.lower()} ", "  ALICE@portal.Example ")
        self.assertEqual(reply.status_code, 303)
        location = reply.headers["Location"]
        self.assertIn(f"/my/orders/{self.order_a.id}?access_token=", location)
        page = self.url_open(location)
        self.assertEqual(page.status_code, 200)
        self.assertIn(self.order_a.name, page.text)

    def test_prefilled_from_a_link(self):
        page = self.url_open(f"/track?reference={self.order_a.name}").text
        self.assertIn(f'value="{self.order_a.name}"', page)
        page = self.url_open('/track?reference=<b>"S1').text
        self.assertIn('value="&lt;b&gt;&#34;S1"', page)
        self.assertNotIn('<b>"S1', page)

    def test_every_wrong_pair_gets_the_same_answer(self):
        self.order_b._action_cancel()
        answers = set()
        for reference, email in (
            (self.order_a.name, "bob@portal.example"),  # someone else's email
            (self.order_b.name, "bob@portal.example"),  # cancelled
            (self.draft.name, "alice@portal.example"),  # draft
            ("S99999999", "alice@portal.example"),  # no such order
            ("", ""),
        ):
            reply = self.lookup(reference, email)
            self.assertEqual(reply.status_code, 200, reference)
            self.assertIn("o_ecrm_lookup_failed", reply.text)
            answers.add(
                reply.text.split("o_ecrm_guest_lookup", 1)[1].split("<form", 1)[0]
            )
        self.assertEqual(len(answers), 1)

    def test_tries_limited(self):
        self.company.ecrm_lookup_max_tries = 2
        self.assertEqual(self.lookup(self.order_a.name, "x@x.test").status_code, 200)
        self.assertEqual(self.lookup(self.order_a.name, "y@x.test").status_code, 200)
        reply = self.lookup(self.order_a.name, "alice@portal.example")
        self.assertEqual(reply.status_code, 429)
        self.assertIn("try again later", reply.text)

    def test_reference_is_no_pattern(self):
        name = self.order_a.name
        for reference in ("%", "S%", f"{name[:-1]}_", f"%{name[-3:]}", "\\%"):
            reply = self.lookup(reference, "alice@portal.example")
            self.assertEqual(reply.status_code, 200, reference)
            self.assertIn("o_ecrm_lookup_failed", reply.text, reference)

    def test_strangers_cannot_lock_the_customer_out(self):
        self.company.ecrm_lookup_max_tries = 3
        name = self.order_a.name
        # strangers from many addresses, the reference spelt in several ways
        for n, reference in enumerate((name, name.lower(), f" {name} ")):
            reply = self.lookup(reference, f"guess{n}@x.test", ip=f"10.0.0.{n}")
            self.assertEqual(reply.status_code, 200, reference)
        # the order's tries are spent: wrong pairs stop, from anywhere...
        reply = self.lookup(name.lower(), "guess@x.test", ip="10.0.1.1")
        self.assertEqual(reply.status_code, 429)
        self.assertIn("o_ecrm_lookup_too_many", reply.text)
        # ...but the customer still opens their order
        reply = self.lookup(name, "alice@portal.example", ip="10.0.2.1")
        self.assertEqual(reply.status_code, 303)
        # while an address that spent its own tries stays stopped
        for n in range(3):
            self.lookup(f"S{n}", "x@x.test", ip="10.0.3.1")
        reply = self.lookup(name, "alice@portal.example", ip="10.0.3.1")
        self.assertEqual(reply.status_code, 429)

    def test_csrf_required(self):
        self.assertEqual(
            self.lookup(
                self.order_a.name, "alice@portal.example", csrf=False
            ).status_code,
            400,
        )


@tagged("post_install", "-at_install")
class TestTrackLinkInConfirmation(EcrmPortalCommon, MockEmail):
    """The order confirmation email links to /track, prefilled with the order's
    reference, for orders with goods to deliver whose customer's level grants
    order tracking; sent at once or by sale_async_emails' cron."""

    def confirmation_mail(self, order):
        with self.mock_mail_gateway():
            order.with_context(send_email=True).action_confirm()
            if order.pending_email_template_id:
                order._cron_send_pending_emails(auto_commit=False)
        mail = self._new_mails.filtered(
            lambda m: m.model == "sale.order" and m.res_id == order.id
        )
        self.assertEqual(len(mail), 1)
        return mail.body_html

    def test_confirmation_links_to_track(self):
        order = self._order(confirm=False)
        body = self.confirmation_mail(order)
        self.assertIn(f"/track?reference={order.name}", body)
        self.assertIn("o_ecrm_track_link", body)

    def test_sent_by_the_async_cron(self):
        self.env["ir.config_parameter"].sudo().set_param("sale.async_emails", True)
        order = self._order(confirm=False)
        self.assertIn(f"/track?reference={order.name}", self.confirmation_mail(order))

    def test_no_link_without_goods_or_tracking(self):
        services = self._order(product=self.service, confirm=False)
        untracked = self._order(partner=self.partner_b, confirm=False)
        for order in (services, untracked):
            self.assertNotIn("/track?", self.confirmation_mail(order), order.name)
