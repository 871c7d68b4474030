# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged

from .common import EcrmPortalCommon


@tagged("post_install", "-at_install")
class TestForget(EcrmPortalCommon, HttpCase):
    """A customer asks to be forgotten from /my/preferences: by default a
    request for the privacy officer; at once when the company says so. What
    the portal holds about them goes with OCA's wizard."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.officer = new_test_user(
            cls.env,
            login="ecrm_privacy_officer",
            groups="base.group_user",
            name="Priya Officer",
        )
        cls.order = cls._order()
        cls.delivery = cls._deliveries(cls.order)
        cls._validate(cls.delivery)
        cls.delivery.action_ecrm_mark_delivered()

    def _page_token(self, url="/my/preferences/forget"):
        page = self.url_open(url)
        self.assertEqual(page.status_code, 200)
        return page, page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]

    def _ask(self, **data):
        _page, token = self._page_token()
        return self.url_open(
            "/my/preferences/forget", data={"csrf_token": token, **data}
        )

    def _pending(self):
        return self.partner_a._ecrm_forget_pending()

    def test_preferences_offer_it_to_customers_only(self):
        self.authenticate(self.user_a.login, self.user_a.login)
        self.assertIn("o_ecrm_forget_link", self.url_open("/my/preferences").text)
        employee = new_test_user(self.env, login="ecrm_forget_employee")
        self.authenticate(employee.login, employee.login)
        self.assertNotIn("o_ecrm_forget_link", self.url_open("/my/preferences").text)
        self.assertEqual(self.url_open("/my/preferences/forget").status_code, 403)

    def test_confirmation_and_csrf_required(self):
        self.authenticate(self.user_a.login, self.user_a.login)
        reply = self._ask()
        self.assertEqual(reply.status_code, 400)
        self.assertIn("Tick the box", reply.text)
        reply = self.url_open("/my/preferences/forget", data={"confirm": "1"})
        self.assertEqual(reply.status_code, 400)
        self.assertFalse(self._pending())

    def test_request_reaches_the_officer(self):
        self.company.ecrm_forget_user_id = self.officer
        self.authenticate(self.user_a.login, self.user_a.login)
        reply = self._ask(confirm="1")
        self.assertEqual(reply.status_code, 200)
        self.assertIn("o_ecrm_forget_pending", reply.text)
        activity = self._pending()
        self.assertEqual(activity.user_id, self.officer)
        self.assertIn("asked to be forgotten", self.partner_a.message_ids[:1].body)
        # nothing is erased yet, and asking twice makes one request
        self.assertTrue(self.user_a.active)
        self.assertEqual(self.partner_a.name, "Alice Portal")
        self.url_open(
            "/my/preferences/forget",
            data={"csrf_token": self._page_token("/my/preferences")[1], "confirm": "1"},
        )
        self.assertEqual(
            self.env["mail.activity"].search_count(
                [("res_model", "=", "res.partner"), ("res_id", "=", self.partner_a.id)]
            ),
            1,
        )

    def test_request_goes_to_an_anonymizer_by_default(self):
        self.partner_a._ecrm_forget_request()
        self.assertTrue(
            self._pending().user_id.has_group(
                "privacy_partner_to_be_forgotten.group_partner_anonymize"
            )
        )

    def test_at_once_when_the_company_says_so(self):
        self.company.ecrm_forget_mode = "immediate"
        self.authenticate(self.user_a.login, self.user_a.login)
        reply = self._ask(confirm="1")
        self.assertEqual(reply.status_code, 200)
        self.assertIn("o_ecrm_forgotten", reply.text)
        self.assertFalse(self.user_a.active)
        self.assertFalse(self.partner_a.active)
        self.assertNotIn("Alice", self.partner_a.name)
        self.assertNotIn("alice", self.user_a.login)
        self.assertEqual(self.order.partner_id, self.partner_a)
        # the session is over
        self.assertEqual(
            self.url_open("/my/preferences", allow_redirects=False).status_code, 303
        )

    def test_forget_erases_portal_data(self):
        event = self.env["ecrm.tracking.event"].search(
            [("partner_id", "=", self.partner_a.id)], limit=1
        )
        event.note = "Left with Alice's neighbour"
        attempts = self.env["ecrm.lookup.attempt"]
        # tries as the lookup records them (its own cursor commits at once:
        # not in a test's transaction)
        now = fields.Datetime.now()
        attempts.create(
            [
                {"key": f"order:{self.order.id}", "date": now},
                {"key": f"ref:{self.order.name.upper()}", "date": now},
                {"key": "ref:S99999", "date": now},
            ]
        )
        article = self.env["ecrm.faq.article"].create(
            {"name": "Where is my parcel?", "is_published": True}
        )
        votes = self.env["ecrm.faq.vote"]
        votes._ecrm_vote(article, f"u:{self.user_a.id}", True)
        votes._ecrm_vote(article, f"u:{self.user_b.id}", True)
        rating = self.delivery.rating_ids[:1]
        rating.write({"rating": 2, "feedback": "Alice was not home", "consumed": True})
        nps = self.env["ecrm.nps.answer"].create(
            {
                "partner_id": self.partner_a.id,
                "company_id": self.company.id,
                "score": 3,
                "rating_id": rating.id,
            }
        )
        self.partner_a._ecrm_forget_now()
        self.assertFalse(event.note)
        keys = [
            f"order:{self.order.id}",
            f"ref:{self.order.name.upper()}",
            "ref:S99999",
        ]
        self.assertEqual(
            attempts.search([("key", "in", keys)]).mapped("key"), ["ref:S99999"]
        )
        self.assertEqual(article.vote_ids.mapped("voter"), [f"u:{self.user_b.id}"])
        self.assertFalse(rating.feedback)
        # the scores stay: the dashboard's delivery ratings and NPS
        self.assertEqual((rating.rating, nps.score), (2, 3))


@tagged("post_install", "-at_install")
class TestForgetTour(EcrmPortalCommon, HttpCase):
    def test_ask_to_be_forgotten(self):
        self.start_tour(
            "/my/preferences", "ecrm_portal_forget", login=self.user_a.login
        )
        self.assertTrue(self.partner_a._ecrm_forget_pending())
