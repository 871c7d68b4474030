# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import datetime, timedelta
from email.message import Message

from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import DeskCase

FRIDAY_3PM = datetime(2026, 6, 26, 15, 0)


@tagged("post_install", "-at_install")
class TestSla(DeskCase):
    def _ticket_on_friday(self, level):
        self.customer._ecrm_pin_level(level.id, "SLA test")
        with freeze_time(FRIDAY_3PM):
            return self._ticket()

    def test_deadline_skips_the_weekend(self):
        self.level_centred.sla_hours = 12
        ticket = self._ticket_on_friday(self.level_centred)
        # Friday 15–17 (2 h), Monday 8–12, 13–17 (8 h), Tuesday 8–10 (2 h)
        self.assertEqual(ticket.ecrm_first_response_deadline, datetime(2026, 6, 30, 10))
        self.assertEqual(ticket.ecrm_level_id, self.level_centred)
        self.assertEqual(ticket.ecrm_sla_state, "on_track")

    def test_deadline_skips_public_holidays(self):
        self.level_centred.sla_hours = 12
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Public holiday",
                "calendar_id": self.calendar.id,
                "date_from": datetime(2026, 6, 29, 0),
                "date_to": datetime(2026, 6, 29, 23, 59),
            }
        )
        ticket = self._ticket_on_friday(self.level_centred)
        self.assertEqual(ticket.ecrm_first_response_deadline, datetime(2026, 7, 1, 10))

    def test_deadline_depends_on_the_level(self):
        self.level_foundational.sla_hours = 24
        self.level_value.sla_hours = 4
        slow = self._ticket_on_friday(self.level_foundational)
        fast = self._ticket_on_friday(self.level_value)
        self.assertEqual(slow.ecrm_first_response_deadline, datetime(2026, 7, 1, 15))
        self.assertEqual(fast.ecrm_first_response_deadline, datetime(2026, 6, 29, 10))

    def test_resolution_deadline_from_the_most_specific_policy(self):
        Policy = self.env["ecrm.sla.policy"]
        Policy.create({"name": "Any", "resolution_hours": 40, "company_id": False})
        Policy.create(
            {
                "name": "This team, urgent",
                "team_id": self.team.id,
                "priority": "3",
                "resolution_hours": 2,
            }
        )
        with freeze_time(FRIDAY_3PM):
            urgent = self._ticket(priority="3")
            normal = self._ticket(priority="1")
        self.assertEqual(urgent.ecrm_resolution_deadline, datetime(2026, 6, 26, 17))
        self.assertEqual(normal.ecrm_resolution_deadline, datetime(2026, 7, 3, 15))

    def test_first_response_is_a_staff_message_to_the_customer(self):
        ticket = self._ticket_on_friday(self.level_centred)
        self.assertFalse(
            ticket.ecrm_first_response_date, "the acknowledgement is no answer"
        )
        agent_ticket = ticket.with_user(self.agent_a)
        with freeze_time(datetime(2026, 6, 29, 9)):
            agent_ticket.message_post(body="internal", subtype_xmlid="mail.mt_note")
            self.assertFalse(ticket.ecrm_first_response_date)
            agent_ticket.with_context(ecrm_automated_email=Message()).message_post(
                body="auto", message_type="comment", subtype_xmlid="mail.mt_comment"
            )
            self.assertFalse(ticket.ecrm_first_response_date)
            ticket.message_post(
                body="from the customer",
                author_id=self.customer.id,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
            self.assertFalse(ticket.ecrm_first_response_date)
            agent_ticket.message_post(
                body="We are on it",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        self.assertEqual(ticket.ecrm_first_response_date, datetime(2026, 6, 29, 9))
        self.assertEqual(ticket.ecrm_sla_state, "met")

    def test_states_and_one_breach_activity(self):
        self.level_centred.sla_hours = 10  # Friday 15:00 → Monday 17:00
        ticket = self._ticket_on_friday(self.level_centred)
        self.assertEqual(ticket.ecrm_first_response_deadline, datetime(2026, 6, 29, 17))
        Ticket = self.env["helpdesk.ticket"]
        with freeze_time(datetime(2026, 6, 27, 12)):
            Ticket._ecrm_cron_sla()
        self.assertEqual(ticket.ecrm_sla_state, "on_track")
        with freeze_time(datetime(2026, 6, 29, 3)):  # 80 % of the 74 h to wait
            Ticket._ecrm_cron_sla()
        self.assertEqual(ticket.ecrm_sla_state, "at_risk")
        with freeze_time(datetime(2026, 6, 29, 18)):
            Ticket._ecrm_cron_sla()
            Ticket._ecrm_cron_sla()
        self.assertEqual(ticket.ecrm_sla_state, "breached")
        activities = ticket.activity_ids.filtered(lambda a: a.summary == "SLA breached")
        self.assertEqual(len(activities), 1)
        self.assertEqual(activities.user_id, self.leader)
        with freeze_time(datetime(2026, 6, 29, 19)):
            ticket.with_user(self.agent_a).message_post(
                body="Sorry for the wait",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        self.assertEqual(ticket.ecrm_sla_state, "breached")
        self.assertTrue(ticket.ecrm_first_response_date)

    def test_sla_hours_bounds(self):
        for hours in (0, -5, 10000):
            with self.assertRaises(ValidationError), self.cr.savepoint():
                self.level_centred.sla_hours = hours
        self.level_centred.sla_hours = 8760

    def test_calendar_that_cannot_place_the_hours(self):
        self.level_centred.sla_hours = 8760  # > what Odoo searches (~4 years)
        ticket = self._ticket_on_friday(self.level_centred)
        self.assertEqual(
            ticket.ecrm_first_response_deadline, FRIDAY_3PM + timedelta(hours=8760)
        )
        self.calendar.attendance_ids = False  # no working time at all
        self.level_centred.sla_hours = 4
        ticket = self._ticket_on_friday(self.level_centred)
        self.assertEqual(ticket.ecrm_first_response_deadline, datetime(2026, 6, 26, 19))
        self.assertEqual(ticket.ecrm_sla_state, "on_track")

    def test_cron_rewrites_only_changed_tickets(self):
        self.level_centred.sla_hours = 10  # Friday 15:00 → Monday 17:00
        ticket = self._ticket_on_friday(self.level_centred)
        Ticket = self.env["helpdesk.ticket"]
        self.env.flush_all()
        created = ticket.write_date
        with freeze_time(datetime(2026, 6, 27, 12)):
            Ticket._ecrm_cron_sla()
        ticket.invalidate_recordset()
        self.assertEqual(
            (ticket.ecrm_sla_state, ticket.write_date), ("on_track", created)
        )
        with freeze_time(datetime(2026, 6, 29, 3)):
            Ticket._ecrm_cron_sla()
        ticket.invalidate_recordset()
        self.assertEqual(ticket.ecrm_sla_state, "at_risk")
        self.assertEqual(ticket.write_date, datetime(2026, 6, 29, 3))

    def test_failing_notification_does_not_stop_the_others(self):
        self.level_centred.sla_hours = 10
        tickets = [self._ticket_on_friday(self.level_centred) for _n in range(3)]
        # one notification fails in the database (as a full disk or a
        # constraint of another addon would)
        self.env.cr.execute(
            """
            CREATE FUNCTION ecrm_test_refuse_activity() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.res_model = 'helpdesk.ticket' AND NEW.res_id = %s THEN
                    RAISE EXCEPTION 'refused';
                END IF;
                RETURN NEW;
            END $$;
            CREATE TRIGGER ecrm_test_refuse_activity BEFORE INSERT ON mail_activity
            FOR EACH ROW EXECUTE FUNCTION ecrm_test_refuse_activity();
            """,
            [tickets[1].id],
        )
        with (
            freeze_time(datetime(2026, 6, 29, 18)),
            mute_logger("odoo.sql_db"),  # the refused INSERT
            self.assertLogs("odoo.addons.ecrm_core.models.helpdesk_ticket", "ERROR"),
        ):
            self.env["helpdesk.ticket"]._ecrm_cron_sla()
        self.assertEqual(
            [t.ecrm_sla_breach_notified for t in tickets], [True, False, True]
        )
        self.assertEqual([bool(t.activity_ids) for t in tickets], [True, False, True])
        self.assertEqual({t.ecrm_sla_state for t in tickets}, {"breached"})
