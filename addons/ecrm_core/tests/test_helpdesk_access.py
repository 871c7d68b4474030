# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import DeskCase


@tagged("post_install", "-at_install")
class TestHelpdeskAccess(DeskCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal_a = new_test_user(
            cls.env,
            login="ecrm_portal_a",
            groups="base.group_portal",
            password="ecrm_portal_a",
        )
        cls.portal_b = new_test_user(
            cls.env, login="ecrm_portal_b", groups="base.group_portal"
        )
        cls.ticket_a = cls._ticket("A's parcel", partner_id=cls.portal_a.partner_id.id)
        cls.ticket_b = cls._ticket("B's parcel", partner_id=cls.portal_b.partner_id.id)

    def test_portal_user_sees_only_own_tickets(self):
        Ticket = self.env["helpdesk.ticket"].with_user(self.portal_a)
        self.assertEqual(Ticket.search([]), self.ticket_a)
        with self.assertRaises(AccessError):
            self.ticket_b.with_user(self.portal_a).read(["name"])

    def test_portal_user_never_reads_sla_internals(self):
        with self.assertRaises(AccessError):
            self.ticket_a.with_user(self.portal_a).read(["ecrm_sla_state"])
        with self.assertRaises(AccessError):
            self.ticket_a.with_user(self.portal_a).read(
                ["ecrm_first_response_deadline"]
            )

    def test_portal_ticket_page_shows_no_sla(self):
        self.authenticate("ecrm_portal_a", "ecrm_portal_a")
        page = self.url_open(f"/my/ticket/{self.ticket_a.id}")
        self.assertEqual(page.status_code, 200)
        self.assertIn("A&#39;s parcel", page.text)
        self.assertNotIn("First response due", page.text)
        self.assertNotIn("on_track", page.text)
        other = self.url_open(f"/my/ticket/{self.ticket_b.id}")
        self.assertNotIn("B&#39;s parcel", other.text)
