# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import HttpCase, tagged

from .common import EcrmPortalCommon


@tagged("post_install", "-at_install")
class TestNps(EcrmPortalCommon, HttpCase):
    """At "delivered", a rating request; with it, when the company asks, the
    NPS question, stored once per rating."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.order = cls._order()
        cls.delivery = cls._deliveries(cls.order)
        cls._validate(cls.delivery)
        cls.delivery.action_ecrm_mark_delivered()
        cls.rating = cls.delivery.rating_ids[:1]

    def submit(self, **data):
        page = self.url_open(f"/rate/{self.rating.access_token}/5").text
        token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        return page, self.url_open(
            f"/rate/{self.rating.access_token}/submit_feedback",
            data={"rate": "5", "feedback": "Fast", "csrf_token": token, **data},
        )

    def answers(self):
        return self.env["ecrm.nps.answer"].search([("rating_id", "=", self.rating.id)])

    def test_delivered_asks_for_a_rating(self):
        self.assertTrue(self.rating)
        self.assertEqual(self.rating.partner_id, self.partner_a)

    def test_nps_asked_when_the_company_asks(self):
        page, _reply = self.submit()
        self.assertNotIn("o_ecrm_nps", page)
        self.company.ecrm_nps_enabled = True
        page, reply = self.submit(ecrm_nps="9")
        self.assertIn("o_ecrm_nps", page)
        self.assertEqual(reply.status_code, 200)
        answer = self.answers()
        self.assertEqual(
            (answer.score, answer.partner_id, answer.company_id, answer.picking_id),
            (9, self.partner_a, self.company, self.delivery),
        )
        self.assertEqual(self.rating.rating, 5)
        # answered: not asked again, and a second post stores nothing more
        page, _reply = self.submit(ecrm_nps="3")
        self.assertNotIn("o_ecrm_nps", page)
        self.assertEqual(self.answers(), answer)

    def test_bad_score_refused(self):
        self.company.ecrm_nps_enabled = True
        for bad in ("11", "-1", "nine"):
            _page, reply = self.submit(ecrm_nps=bad)
            self.assertEqual(reply.status_code, 400, bad)
        self.assertFalse(self.answers())
