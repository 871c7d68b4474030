# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import tagged

from .common import DeskCase

RAW_EMAIL = """From: {sender}
To: help@desk.example
Subject: {subject}
Message-ID: <{subject}@mail.example>
{headers}Content-Type: text/plain; charset=utf-8

{body}
"""


@tagged("post_install", "-at_install")
class TestAutoresponderGateway(DeskCase):
    """The autoresponder fed real RFC 822 messages through the mail gateway
    (``message_process``), as an attacker or a mail loop would."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Article = cls.env["ecrm.faq.article"]
        Article.search([]).is_published = False
        cls.article = Article.create(
            {
                "name": "How do I return a damaged product?",
                "keywords": "broken refund",
                "body": "<p>Send us a photo.</p>",
                "is_published": True,
            }
        )
        cls.count = 0

    def _process(self, sender, subject=None, headers="", body="It arrived damaged."):
        type(self).count += 1
        subject = subject or f"request-{self.count}"
        raw = RAW_EMAIL.format(
            sender=sender, subject=subject, headers=headers, body=body
        )
        ticket_id = self.env["mail.thread"].message_process(
            "helpdesk.ticket", raw, custom_values={"team_id": self.team.id}
        )
        ticket = self.env["helpdesk.ticket"].browse(ticket_id)
        self.assertTrue(ticket, "the email always makes a ticket")
        return ticket

    def _ack(self, ticket):
        return self.env["mail.mail"].search(
            [
                ("model", "=", "helpdesk.ticket"),
                ("res_id", "=", ticket.id),
                ("subject", "=like", "We received your request%"),
            ]
        )

    def test_display_name_sender_is_capped(self):
        tickets = [self._process('"Jane Doe" <Jane@Shop.example>') for _n in range(6)]
        self.assertEqual(
            {ticket.ecrm_sender_email for ticket in tickets}, {"jane@shop.example"}
        )
        self.assertEqual([len(self._ack(t)) for t in tickets], [1, 1, 1, 0, 0, 0])

    def test_forged_senders_rotation_hits_the_team_cap(self):
        self.team.ecrm_ack_team_limit_per_hour = 4
        tickets = [self._process(f"victim{n}@elsewhere.example") for n in range(6)]
        self.assertEqual([len(self._ack(t)) for t in tickets], [1, 1, 1, 1, 0, 0])
        other_team = self.team.copy({"name": "Other desk"})
        ticket = self.env["helpdesk.ticket"].browse(
            self.env["mail.thread"].message_process(
                "helpdesk.ticket",
                RAW_EMAIL.format(
                    sender="victim9@elsewhere.example",
                    subject="other-team",
                    headers="",
                    body="Hello",
                ),
                custom_values={"team_id": other_team.id},
            )
        )
        self.assertEqual(len(self._ack(ticket)), 1, "the cap is per team")

    def test_unknown_sender_is_not_quoted(self):
        subject = "URGENT-verify-your-account-at-evil-example"
        ticket = self._process(
            '"Click http://evil.example" <stranger@shop.example>', subject
        )
        self.assertFalse(ticket.partner_id)
        ack = self._ack(ticket)
        self.assertEqual(len(ack), 1)
        self.assertEqual(ack.email_to, "stranger@shop.example")
        for echoed in (subject, "evil.example"):
            self.assertNotIn(echoed, ack.subject)
            self.assertNotIn(echoed, ack.body_html)
        self.assertIn(ticket.number, ack.body_html)
        # the team may choose to quote them
        self.team.ecrm_ack_quote_unknown = True
        quoted = self._process("other.stranger@shop.example", "Damaged-parcel-please")
        self.assertIn("Damaged-parcel-please", self._ack(quoted).body_html)

    def test_known_contact_is_quoted(self):
        ticket = self._process(
            '"Desk Customer" <customer@desk.example>', "Damaged-desk-leg"
        )
        self.assertEqual(ticket.partner_id, self.customer)
        body = self._ack(ticket).body_html
        self.assertIn("Damaged-desk-leg", body)
        self.assertIn("Desk Customer", body)

    def test_blacklisted_recipient_gets_nothing(self):
        self.env["mail.blacklist"]._add("victim@elsewhere.example")
        ticket = self._process('"Victim" <Victim@Elsewhere.example>')
        self.assertFalse(self._ack(ticket))
        self.customer.email = "blocked@desk.example"
        self.env["mail.blacklist"]._add("blocked@desk.example")
        self.assertFalse(self._ack(self._ticket()), "known partners too")

    def test_automatic_mail_is_not_answered(self):
        cases = [
            ("robot@shop.example", "Auto-Submitted: auto-replied\n"),
            ("robot@shop.example", "Auto-Submitted: Auto-Generated\n"),
            ("robot@shop.example", "X-Auto-Response-Suppress: All\n"),
            ("robot@shop.example", "X-Autoreply: yes\n"),
            ("robot@shop.example", "X-Autorespond: yes\n"),
            ("robot@shop.example", "Precedence: auto_reply\n"),
            ("robot@shop.example", "Precedence: bulk\n"),
            ("robot@shop.example", "List-Id: <news.shop.example>\n"),
            ("robot@shop.example", "Return-Path: <>\n"),
            ("noreply@shop.example", ""),
            ("no_reply@shop.example", ""),
            ('"Shop" <do-not-reply@shop.example>', ""),
            ("notifications@shop.example", ""),
        ]
        for sender, headers in cases:
            ticket = self._process(sender, headers=headers)
            self.assertFalse(self._ack(ticket), (sender, headers))
            self.assertTrue(ticket.message_ids, "the email is kept on the ticket")
        self.assertEqual(
            len(self._ack(self._process("person@shop.example"))), 1, "control"
        )

    def test_acknowledgement_headers(self):
        ticket = self._process("jane@shop.example")
        ack = self._ack(ticket)
        self.assertTrue(ack.auto_delete)
        self.assertIn("'Auto-Submitted': 'auto-replied'", ack.headers)
        self.assertIn("'X-Auto-Response-Suppress': 'All'", ack.headers)
        # what goes out: mail_autogenerated_header does not add a second,
        # contradicting Auto-Submitted to it (it does to other automatic mails)
        server = self.env["ir.mail_server"]
        [email] = ack._prepare_outgoing_list()
        message = server.build_email(
            email["email_from"],
            email["email_to"],
            email["subject"],
            email["body"],
            message_id=ack.message_id,
            headers=email["headers"],
        )
        self.assertEqual(message.get_all("Auto-Submitted"), ["auto-replied"])
        self.assertEqual(message.get_all("X-Auto-Response-Suppress"), ["All"])
        self.assertFalse(server._send_email_set_autogenerated(message))
        del message["Auto-Submitted"]
        self.assertTrue(server._send_email_set_autogenerated(message))

    def test_large_body_keeps_the_ticket(self):
        words = " ".join(f"trace{n}x{n * 7919 % 104729}" for n in range(60000))
        body = "My desk is broken, I want a refund.\n" + words
        self.assertGreater(len(body), 1_000_000)
        ticket = self._process("jane@shop.example", body=body)
        self.assertTrue(ticket.ecrm_first_response_deadline)
        self.assertTrue(ticket.message_ids)
        ack = self._ack(ticket)
        self.assertEqual(len(ack), 1)
        self.assertIn(self.article.name, ack.body_html)
        # a long portal submission (a plain create) alike
        ticket = self._ticket("Broken desk", f"<p>{body}</p>")
        self.assertIn(self.article.name, self._ack(ticket).body_html)

    def test_failing_acknowledgement_keeps_the_ticket(self):
        template = self.env.ref("ecrm_core.mail_template_ticket_acknowledgement")
        template.body_html = '<p t-out="object.ecrm_no_such_field"/>'
        with self.assertLogs(
            "odoo.addons.ecrm_core.models.helpdesk_ticket", level="ERROR"
        ) as logged:
            ticket = self._process("jane@shop.example", body="Please call me back")
        self.assertIn("the ticket is kept", logged.output[0])
        self.assertFalse(self._ack(ticket))
        self.assertTrue(ticket.ecrm_first_response_deadline, "the SLA is planned")
        self.assertIn("Please call me back", "".join(ticket.message_ids.mapped("body")))
