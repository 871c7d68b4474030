# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from freezegun import freeze_time

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

    def test_followups_are_batched_without_a_mail_each(self):
        other = self._customer("Second Customer", is_company=True)
        other.user_id = self.salesperson
        for customer in self.customer | other:
            for days_ago in (60, 30, 0):
                self._order(customer, 100, self.TODAY - timedelta(days=days_ago))
        self._recompute_all()
        notifications = self.env["mail.message"].search_count(
            [("message_type", "=", "user_notification")]
        )
        activity_creates = []
        create = type(self.env["mail.activity"]).create

        def recording_create(activities, vals_list):
            activity_creates.append(len(vals_list))
            return create(activities, vals_list)

        self.patch(type(self.env["mail.activity"]), "create", recording_create)
        self._recompute_all(self.TODAY + timedelta(days=61))
        self.assertEqual(activity_creates, [2])
        self.assertEqual(len(self._followups()), 1)
        # the daily digest tells the salesperson, not one mail per customer
        self.assertEqual(
            self.env["mail.message"].search_count(
                [("message_type", "=", "user_notification")]
            ),
            notifications,
        )

    def test_first_classification_is_no_change(self):
        # orders from before the addon was installed: no profile yet
        self._order(self.customer, 100, self.TODAY - timedelta(days=200))
        self.env.cr.execute(
            "DELETE FROM ecrm_profile WHERE partner_id = %s", [self.customer.id]
        )
        self.env.cr.execute(
            "DELETE FROM ecrm_lifecycle_history WHERE partner_id = %s",
            [self.customer.id],
        )
        self.env.invalidate_all()
        self._recompute_all()
        self.assertEqual(self.customer.ecrm_lifecycle_stage, "at_risk")
        self.assertFalse(self._followups())

    def test_followup_stays_in_its_company(self):
        other = self.env["res.company"].create({"name": "Other eCRM Co"})
        self.env.user.company_ids |= other
        other_leader = self.env["res.users"].create(
            {
                "name": "Other leader",
                "login": "ecrm_other_leader",
                "company_id": other.id,
                "company_ids": [(6, 0, other.ids)],
            }
        )
        other_team = self.env["helpdesk.ticket.team"].create(
            {"name": "Other desk", "company_id": other.id, "user_id": other_leader.id}
        )
        # the salesperson does not work for this company: the leader of the
        # team of the customer's last ticket here is asked
        self.customer.user_id = other_leader
        self._ticket(name="Here")
        with freeze_time(self.TODAY + timedelta(days=1)):
            self.env["helpdesk.ticket"].create(
                {
                    "name": "Elsewhere",
                    "description": "<p>Elsewhere</p>",
                    "partner_id": self.customer.id,
                    "team_id": other_team.id,
                    "company_id": other.id,
                }
            )
            self.env["sale.order"].create(
                {
                    "partner_id": self.customer.id,
                    "company_id": other.id,
                    "name": "OTHER-CO-ORDER",
                    "state": "sale",
                }
            )
        self.customer._ecrm_proactive_followup("Check in")
        followup = self._followups()
        self.assertEqual(followup.user_id, self.leader)
        self.assertNotIn("OTHER-CO-ORDER", followup.note)
        self.assertNotIn("Elsewhere", followup.note)

    def _other_company_leader(self):
        other = self.env["res.company"].create({"name": "Other eCRM Co"})
        self.env.user.company_ids |= other
        leader = self.env["res.users"].create(
            {
                "name": "Other leader",
                "login": "ecrm_other_leader",
                "company_id": other.id,
                "company_ids": [(6, 0, other.ids)],
            }
        )
        return other, leader

    def test_other_company_followup_does_not_silence_this_one(self):
        other, other_leader = self._other_company_leader()
        self.customer.user_id = other_leader
        self.customer.with_company(other)._ecrm_proactive_followup("Check in")
        self.assertEqual(self._followups().user_id, other_leader)
        # here the salesperson does not work: the leader of the customer's
        # last ticket's team
        self._ticket()
        self.customer._ecrm_proactive_followup("Check in")
        self.assertEqual(self._followups().user_id, other_leader | self.leader)
        # one per company: a second call adds nothing
        self.customer._ecrm_proactive_followup("Check in")
        self.assertEqual(len(self._followups()), 2)

    def test_leader_working_elsewhere_is_not_asked(self):
        __, other_leader = self._other_company_leader()
        self.customer.user_id = False
        self._ticket().team_id.user_id = other_leader
        self.customer._ecrm_proactive_followup("Check in")
        self.assertFalse(self._followups())
