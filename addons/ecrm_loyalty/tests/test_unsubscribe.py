# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import email
import email.policy
import socket
from datetime import timedelta
from unittest.mock import patch
from urllib.parse import urlsplit

from aiosmtpd.controller import Controller

from odoo import fields
from odoo.tests import HttpCase, tagged
from odoo.tests.common import Opener
from odoo.tools import hash_sign

from .common import LoyaltyCase


class _Sink:
    """An SMTP server's handler keeping the messages it receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(
            email.message_from_bytes(
                envelope.original_content, policy=email.policy.SMTP
            )
        )
        return "250 OK"


@tagged("post_install", "-at_install")
class TestUnsubscribe(HttpCase, LoyaltyCase):
    """One-click unsubscribe (RFC 8058) in the coupon mails, sent through a
    real SMTP server (aiosmtpd on 127.0.0.1) and answered over HTTP without
    a session."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        cls.sink = _Sink()
        cls.smtp = Controller(cls.sink, hostname="127.0.0.1", port=port)
        cls.smtp.start()
        cls.addClassCleanup(cls.smtp.stop)
        cls.env["ir.mail_server"].search([]).active = False
        cls.env["ir.mail_server"].create(
            {
                "name": "eCRM test sink",
                "smtp_host": "127.0.0.1",
                "smtp_port": port,
                "smtp_encryption": "none",
                "sequence": 0,
            }
        )
        cls.company.email = "shop@loyalty.example"
        for partner in (cls.customer_a, cls.customer_b):
            cls._stage_change(partner, "at_risk")

    def _send_queue(self, mails):
        """Process the mail queue for real: Odoo sends nothing while a test
        runs, unless it is told no test runs."""
        self.env.flush_all()
        with patch("odoo.modules.module.current_test", False):
            self.env["mail.mail"].process_email_queue(ids=mails.ids)
        self.assertEqual(
            set(mails.mapped("state")), {"sent"}, mails.mapped("failure_reason")
        )
        return {
            message["To"].addresses[0].addr_spec: message
            for message in self.sink.messages
        }

    def _post(self, url, **kwargs):
        """POST as a mailbox provider: no cookie, no CSRF token."""
        return Opener(self.cr).post(
            self.base_url() + urlsplit(url).path,
            timeout=30,
            allow_redirects=False,
            **kwargs,
        )

    def _get(self, url):
        """GET as a link scanner: no cookie."""
        return Opener(self.cr).get(self.base_url() + urlsplit(url).path, timeout=30)

    def _consent(self, partner):
        return self.env["ecrm.consent"].search(
            [("partner_id", "=", partner.id), ("channel", "=", "email")]
        )

    def test_coupon_mail_one_click_unsubscribe(self):
        rule = self._rule(trigger="win_back")
        rule._ecrm_run()
        received = self._send_queue(rule.issue_ids.mail_id)
        message = received["anna@loyalty.example"]
        # RFC 8058: an HTTPS-able URL of its own, and the one-click POST
        self.assertEqual(message["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click")
        header = message["List-Unsubscribe"]
        self.assertRegex(header, r"^<https?://[^>]+/ecrm/unsubscribe/[\w-]+>$")
        url = header[1:-1]
        other = received["bert@loyalty.example"]["List-Unsubscribe"][1:-1]
        self.assertNotEqual(url, other, "signed per recipient")
        # the visible link of the body is the same URL, in HTML and text
        html = message.get_body(("html",)).get_content()
        self.assertIn(f'href="{url}"', html)
        self.assertIn(url, message.get_body(("plain",)).get_content())
        self.assertNotIn('/ecrm/unsubscribe"', html, "the template's link replaced")

        # a link scanner's GET changes nothing
        page = self._get(url)
        self.assertEqual(page.status_code, 200)
        self.assertIn("Stop receiving our offers by email?", page.text)
        self.assertFalse(self._consent(self.customer_a))
        self.assertTrue(self.customer_a._ecrm_has_consent("email"))

        # the mailbox provider's POST opts Anna out, in this company
        response = self._post(url, data={"List-Unsubscribe": "One-Click"})
        self.assertEqual(response.status_code, 200)
        self.assertIn("You are unsubscribed", response.text)
        consent = self._consent(self.customer_a)
        self.assertEqual(
            (consent.state, consent.source, consent.company_id),
            ("opt_out", "unsubscribe", self.company),
        )
        self.assertFalse(self.customer_a._ecrm_has_consent("email"))
        self.assertTrue(self.customer_b._ecrm_has_consent("email"))
        # idempotent: a second POST (or the page's button) changes nothing
        date = consent.date
        self.assertEqual(self._post(url).status_code, 200)
        self.assertEqual((len(self._consent(self.customer_a)), consent.date), (1, date))
        page = self._get(url)
        self.assertIn("You are unsubscribed", page.text)

        # the next campaign: a coupon for Anna, without a mail
        self.sink.messages.clear()
        self._stage_change(self.customer_c, "churned")
        again = self._rule(name="Second campaign", trigger="win_back")
        again._ecrm_run()
        issues = {issue.partner_id: issue for issue in again.issue_ids}
        self.assertTrue(issues[self.customer_a].card_id)
        self.assertFalse(issues[self.customer_a].mail_id)
        received = self._send_queue(again.issue_ids.mail_id)
        self.assertEqual(
            set(received), {"bert@loyalty.example", "cleo@loyalty.example"}
        )

    def test_token_is_odoos_hash_sign(self):
        """The tokens signed for a batch are Odoo's ``hash_sign`` tokens."""
        url = self.env["ecrm.consent"]._ecrm_unsubscribe_url(
            self.customer_a, "https://shop.example/", self.company
        )
        token = hash_sign(
            self.env(su=True),
            "ecrm_unsubscribe",
            {"p": self.customer_a.id, "c": self.company.id},
        )
        self.assertEqual(url, f"https://shop.example/ecrm/unsubscribe/{token}")

    def test_bad_tokens(self):
        url = self.env["ecrm.consent"]._ecrm_unsubscribe_url(
            self.customer_a, self.base_url(), self.company
        )
        token = url.rsplit("/", 1)[1]
        forged = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
        for bad in (forged, "x", "AQ", "A" * 300):
            with self.subTest(token=bad):
                self.assertEqual(
                    self._post(f"/ecrm/unsubscribe/{bad}").status_code, 404
                )
        # a customer deleted since
        gone = self._customer("Gone", email="gone@loyalty.example")
        gone_url = self.env["ecrm.consent"]._ecrm_unsubscribe_url(
            gone, self.base_url(), self.company
        )
        gone.unlink()
        self.assertEqual(self._post(gone_url).status_code, 404)
        self.assertFalse(self._consent(self.customer_a))

    def test_link_added_to_other_templates(self):
        """A template without the link gets one at the end of the mail."""
        template = self.env["mail.template"].create(
            {
                "name": "Bare coupon",
                "model_id": self.env.ref("loyalty.model_loyalty_card").id,
                "partner_to": "{{ object.partner_id.id }}",
                "body_html": "<p>Your code: <t t-out='object.code'/></p>",
            }
        )
        rule = self._rule(trigger="win_back", mail_template_id=template.id)
        rule._ecrm_run()
        mail = rule.issue_ids.filtered(
            lambda i: i.partner_id == self.customer_a
        ).mail_id
        url = mail._ecrm_unsubscribe_url()
        self.assertTrue(url)
        [outgoing] = mail._prepare_outgoing_list()
        self.assertIn(f'<a href="{url}">Unsubscribe</a></p></body>', outgoing["body"])

    def test_cart_reminder_but_not_transactional_mails(self):
        website = self.env["website"].create(
            {"name": "eCRM unsubscribe shop", "company_id": self.company.id}
        )
        cart = self._cart(self.customer_a, self.products[0])
        cart.write(
            {
                "website_id": website.id,
                "date_order": fields.Datetime.now() - timedelta(hours=2),
            }
        )
        rule = self._rule(trigger="abandoned_cart", reminder_hours=1, coupon_hours=24)
        rule._ecrm_run()
        Mail = self.env["mail.mail"]
        reminder = Mail.search([("model", "=", "sale.order"), ("res_id", "=", cart.id)])
        self.assertEqual(len(reminder), 1)
        message = self._send_queue(reminder)["anna@loyalty.example"]
        url = message["List-Unsubscribe"][1:-1]
        self.assertIn("/ecrm/unsubscribe/", url)
        # website_sale's template has no link: one is added at the end
        self.assertIn(f'href="{url}"', message.get_body(("html",)).get_content())
        # the order confirmation is transactional: no unsubscribe
        self.sink.messages.clear()
        order = self._order(self.customer_b, 10.0, self.today)
        with patch("odoo.modules.module.current_test", False):
            order._send_order_confirmation_mail()
        message = {
            message["To"].addresses[0].addr_spec: message
            for message in self.sink.messages
        }["bert@loyalty.example"]
        self.assertIn(order.name, message["Subject"])
        self.assertIsNone(message["List-Unsubscribe"])
        self.assertNotIn("/ecrm/unsubscribe", message.get_body(("html",)).get_content())
