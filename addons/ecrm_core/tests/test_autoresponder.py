# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import tagged

from .common import DeskCase

RAW_EMAIL = """From: {sender}
To: help@desk.example
Subject: {subject}
Message-ID: <{subject}@desk.example>
{headers}
Content-Type: text/plain

My parcel arrived damaged.
"""


@tagged("post_install", "-at_install")
class TestAutoresponder(DeskCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Article = cls.env["ecrm.faq.article"]
        Article.search([]).is_published = False
        cls.return_article = Article.create(
            {
                "name": "How do I return a damaged product?",
                "keywords": "broken refund",
                "body": "<p>Send us a photo.</p>",
                "is_published": True,
            }
        )
        cls.track_article = Article.create(
            {
                "name": "How do I track my parcel?",
                "body": "<p>Open the portal.</p>",
                "is_published": True,
            }
        )
        Article.create({"name": "Unrelated draft", "is_published": False})

    def _process(self, sender, subject, headers=""):
        raw = RAW_EMAIL.format(sender=sender, subject=subject, headers=headers)
        ticket_id = self.env["mail.thread"].message_process("helpdesk.ticket", raw)
        return self.env["helpdesk.ticket"].browse(ticket_id)

    def test_faq_matching(self):
        Article = self.env["ecrm.faq.article"]
        self.assertEqual(
            Article._ecrm_match("The desk is damaged, can I get a refund?"),
            self.return_article,
        )
        self.assertEqual(Article._ecrm_match("where is my parcel"), self.track_article)
        self.assertFalse(Article._ecrm_match("ok"))
        self.assertFalse(Article._ecrm_match("unrelated draft"))

    def test_acknowledgement_content(self):
        self.level_centred.sla_hours = 12
        self.customer.sudo().ecrm_level_id = self.level_centred
        ticket = self._ticket("Damaged desk", "<p>My desk arrived damaged</p>")
        mail = self._acks(ticket)
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.state, "outgoing", "queued, not sent inline")
        self.assertIn(ticket.number, mail.body_html)
        self.assertIn("12", mail.body_html)
        self.assertIn("How do I return a damaged product?", mail.body_html)
        self.assertEqual(mail.email_to, "customer@desk.example")

    def test_incoming_email_is_acknowledged(self):
        ticket = self._process("Jane <jane@shop.example>", "damaged")
        self.assertEqual(len(self._acks(ticket)), 1)

    def test_no_reply_to_automatic_mail(self):
        for n, headers in enumerate(
            (
                "Auto-Submitted: auto-replied",
                "Precedence: bulk",
                "List-Id: <news.example>",
            )
        ):
            ticket = self._process("robot@shop.example", f"auto{n}", headers)
            self.assertTrue(ticket)
            self.assertFalse(self._acks(ticket), headers)

    def test_no_reply_to_no_reply_senders(self):
        ticket = self._process("noreply@shop.example", "noreply")
        self.assertFalse(self._acks(ticket))

    def test_rate_limit_per_sender(self):
        self.team.ecrm_ack_limit_per_hour = 2
        tickets = [self._ticket(f"Question {n}") for n in range(3)]
        self.assertEqual([len(self._acks(t)) for t in tickets], [1, 1, 0])

    def test_consent_respected(self):
        self.customer._ecrm_set_consent("email", "opt_out", "portal")
        self.assertFalse(self._acks(self._ticket()))
