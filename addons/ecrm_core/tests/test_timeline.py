# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import date, datetime, timedelta

from lxml import etree

from odoo.tests import Form, new_test_user, tagged
from odoo.tools.safe_eval import datetime as safe_datetime
from odoo.tools.safe_eval import safe_eval

from .common import EcrmCase


@tagged("post_install", "-at_install")
class TestTimeline(EcrmCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls._customer(
            "Timeline Ltd", is_company=True, email="t@l.example"
        )
        cls.contact = cls._customer("Tim", parent_id=cls.customer.id)
        cls.order = cls._order(cls.contact, 100, cls.TODAY - timedelta(days=5))
        cls.ticket = cls.env["helpdesk.ticket"].create(
            {
                "name": "Where is my parcel?",
                "description": "<p>Still waiting</p>",
                "partner_id": cls.contact.id,
                "company_id": cls.company.id,
                "channel_id": cls.env.ref(
                    "helpdesk_mgmt.helpdesk_ticket_channel_phone"
                ).id,
            }
        )
        cls.ticket.message_post(
            body="It is on its way",
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        cls.ticket.message_post(
            body="internal", message_type="comment", subtype_xmlid="mail.mt_note"
        )

    def _timeline(self, user=None):
        return (
            self.env["ecrm.interaction"]
            .with_user(user or self.env.user)
            .search([("partner_id", "=", self.customer.id)])
        )

    def test_sources_with_channel_and_direction(self):
        timeline = self._timeline()
        order = timeline.filtered(lambda i: i.kind == "order")
        self.assertEqual(
            (order.res_id, order.channel, order.direction, order.initiative),
            (self.order.id, "backend", "in", "reactive"),
        )
        ticket = timeline.filtered(lambda i: i.kind == "ticket")
        self.assertEqual((ticket.channel, ticket.direction), ("phone", "in"))
        messages = timeline.filtered(lambda i: i.kind == "ticket_message")
        self.assertEqual(messages.mapped("summary"), ["It is on its way"])
        self.assertEqual(messages.direction, "out")

    def test_manual_log_in_two_clicks(self):
        action = self.contact.action_ecrm_log_interaction()
        with Form(
            self.env[action["res_model"]].with_context(**action["context"])
        ) as log:
            log.channel = "store"
            log.initiative = "proactive"
            log.direction = "out"
            log.summary = "Showed the new range in the shop"
        entry = self._timeline().filtered(lambda i: i.kind == "log")
        self.assertEqual(
            (entry.channel, entry.initiative, entry.summary),
            ("store", "proactive", "Showed the new range in the shop"),
        )

    def test_newest_first_and_counted(self):
        self.env["ecrm.interaction.log"].create(
            {
                "partner_id": self.customer.id,
                "summary": "Old call",
                "date": datetime(2020, 1, 1),
            }
        )
        timeline = self._timeline()
        dates = timeline.mapped("date")
        self.assertEqual(dates, sorted(dates, reverse=True))
        self.assertEqual(timeline[-1].summary, "Old call")
        self.assertEqual(self.contact.ecrm_interaction_count, len(timeline))

    def test_other_company_logs_hidden(self):
        other = self.env["res.company"].create({"name": "Other timeline Co"})
        self.env["ecrm.interaction.log"].create(
            {
                "partner_id": self.customer.id,
                "summary": "Elsewhere",
                "company_id": other.id,
            }
        )
        user = new_test_user(
            self.env,
            login="ecrm_timeline_user",
            groups="ecrm_core.group_ecrm_user,helpdesk_mgmt.group_helpdesk_user",
            company_ids=[(6, 0, self.company.ids)],
            company_id=self.company.id,
        )
        summaries = self._timeline(user).mapped("summary")
        self.assertIn("It is on its way", summaries)
        self.assertNotIn("Elsewhere", summaries)

    def test_timeline_of_one_customer_is_one_query(self):
        self.env.flush_all()
        with self.assertQueryCount(1):
            self.env["ecrm.interaction"].search_fetch(
                [("partner_id", "=", self.customer.id)], ["date", "summary"]
            )

    def test_open_the_source(self):
        message = self._timeline().filtered(lambda i: i.kind == "ticket_message")
        action = message.action_open_source()
        self.assertEqual(
            (action["res_model"], action["res_id"]), ("helpdesk.ticket", self.ticket.id)
        )

    def test_every_ticket_channel_counts_in_the_channel_mix(self):
        for name in ("chat", "social", "store"):
            channel = self.env.ref(f"ecrm_core.helpdesk_ticket_channel_{name}")
            ticket = self.env["helpdesk.ticket"].create(
                {
                    "name": f"Via {name}",
                    "description": "<p>Hi</p>",
                    "partner_id": self.customer.id,
                    "channel_id": channel.id,
                }
            )
            entry = self._timeline().filtered(
                lambda i, t=ticket: i.kind == "ticket" and i.res_id == t.id
            )
            self.assertEqual(entry.channel, name)

    def test_interactions_menu_opens_on_the_last_30_days(self):
        action = self.env.ref("ecrm_core.ecrm_interaction_action")
        self.assertEqual(safe_eval(action.context), {"search_default_last_30_days": 1})
        views = self.env["ecrm.interaction"].get_views([(False, "search")])
        arch = etree.fromstring(views["views"]["search"]["arch"])
        [last_30_days] = arch.xpath("//filter[@name='last_30_days']")
        domain = safe_eval(
            last_30_days.get("domain"),
            {"context_today": lambda: date(2026, 6, 30), "datetime": safe_datetime},
        )
        self.env["ecrm.interaction.log"].create(
            [
                {"partner_id": self.customer.id, "summary": "Recent", "date": d}
                for d in (datetime(2026, 6, 1), datetime(2026, 5, 30))
            ]
        )
        recent = self.env["ecrm.interaction"].search(
            domain + [("partner_id", "=", self.customer.id), ("kind", "=", "log")]
        )
        self.assertEqual(recent.mapped("date"), [datetime(2026, 6, 1)])
