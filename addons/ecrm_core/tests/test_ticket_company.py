# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import tagged

from .common import DeskCase

RAW_EMAIL = """From: "Desk Customer" <customer@desk.example>
To: help-b@desk.example
Subject: {subject}
Message-ID: <{subject}@mail.example>
Content-Type: text/plain

My parcel arrived damaged, I want a refund.
"""


@tagged("post_install", "-at_install")
class TestTicketCompany(DeskCase):
    """Consent, FAQ suggestions and rating requests of a ticket are those of
    the ticket's company, not of the mail gateway's (the current company)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create({"name": "eCRM Co B"})
        cls.env.user.company_ids |= cls.company_b
        cls.team_b = cls.env["helpdesk.ticket.team"].create(
            {"name": "Desk B", "company_id": cls.company_b.id}
        )
        Article = cls.env["ecrm.faq.article"]
        Article.search([]).is_published = False
        cls.article_a = Article.create(
            {
                "name": "Company A: damaged parcels",
                "keywords": "damaged refund parcel",
                "is_published": True,
                "company_id": cls.company.id,
            }
        )
        cls.article_b = Article.create(
            {
                "name": "Company B: damaged parcels",
                "keywords": "damaged refund parcel",
                "is_published": True,
                "company_id": cls.company_b.id,
            }
        )
        # the gateway runs in company A (the current company)
        assert cls.env.company == cls.company

    def _process(self, subject):
        ticket_id = self.env["mail.thread"].message_process(
            "helpdesk.ticket",
            RAW_EMAIL.format(subject=subject),
            custom_values={"team_id": self.team_b.id},
        )
        return self.env["helpdesk.ticket"].browse(ticket_id)

    def test_acknowledgement_with_the_ticket_company(self):
        ticket = self._process("company-b-1")
        self.assertEqual(ticket.company_id, self.company_b)
        body = self._acks(ticket).body_html
        self.assertIn(self.article_b.name, body)
        self.assertNotIn(self.article_a.name, body)

    def test_opt_out_in_the_ticket_company(self):
        self.customer.with_company(self.company_b)._ecrm_set_consent(
            "email", "opt_out", "portal"
        )
        ticket = self._process("company-b-2")
        self.assertFalse(self._acks(ticket))
        self.assertTrue(self._acks(self._ticket()), "company A still answers")

    def test_rating_request_with_the_ticket_company(self):
        ticket = self._process("company-b-3")
        self.customer.with_company(self.company_b)._ecrm_set_consent(
            "email", "opt_out", "portal"
        )
        ticket.stage_id = self.env["helpdesk.ticket.stage"].search(
            [("closed", "=", True)], limit=1
        )
        self.assertFalse(ticket.rating_ids)
