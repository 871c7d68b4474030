# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from odoo.tests import tagged

from .common import DeskCase


@tagged("post_install", "-at_install")
class TestProactive(DeskCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesperson = cls.leader
        cls.customer.user_id = cls.salesperson
        cls.activity_type = cls.env.ref("ecrm_core.mail_activity_type_proactive")

    def _followups(self):
        return self.customer.activity_ids.filtered(
            lambda a: a.activity_type_id == self.activity_type
        )

    def test_entering_at_risk_creates_one_activity(self):
        for days_ago in (60, 30, 0):
            self._order(self.customer, 100, self.TODAY - timedelta(days=days_ago))
        self._recompute_all()
        self.assertFalse(self._followups())
        self._recompute_all(self.TODAY + timedelta(days=61))
        self.assertEqual(self.customer.ecrm_lifecycle_stage, "at_risk")
        followup = self._followups()
        self.assertEqual(len(followup), 1)
        self.assertEqual(followup.user_id, self.salesperson)
        self.assertIn("S0", followup.note)  # the last orders are in the context
        self._recompute_all(self.TODAY + timedelta(days=62))
        self.assertEqual(len(self._followups()), 1)

    def test_breached_ticket_with_bad_rating(self):
        ticket = self._ticket()
        ticket.sudo().ecrm_sla_state = "breached"
        ticket.rating_apply(
            1, token=ticket._rating_get_access_token(), feedback="Nobody answered"
        )
        followup = self._followups()
        self.assertEqual(len(followup), 1)
        self.assertIn(ticket.number, followup.summary)

    def test_good_rating_is_no_alert(self):
        ticket = self._ticket()
        ticket.sudo().ecrm_sla_state = "breached"
        ticket.rating_apply(5, token=ticket._rating_get_access_token())
        self.assertFalse(self._followups())

    def test_daily_digest_is_queued(self):
        self.customer._ecrm_proactive_followup("Check in")
        self.env["res.users"]._ecrm_cron_proactive_digest()
        digest = self.env["mail.mail"].search(
            [("subject", "=", "Customers to reach out to today")]
        )
        self.assertEqual(len(digest), 1)
        self.assertEqual(digest.state, "outgoing")
        self.assertIn("Desk Customer", digest.body_html)

    def test_done_followup_is_proactive_in_the_timeline(self):
        self.customer._ecrm_proactive_followup("Check in")
        self._followups().action_feedback(feedback="Called, all good")
        entry = self.env["ecrm.interaction"].search(
            [("partner_id", "=", self.customer.id), ("kind", "=", "follow_up")]
        )
        self.assertEqual((entry.initiative, entry.direction), ("proactive", "out"))
