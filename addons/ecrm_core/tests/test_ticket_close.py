# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import HttpCase, new_test_user, tagged

from .common import DeskCase


@tagged("post_install", "-at_install")
class TestTicketClose(DeskCase, HttpCase):
    """helpdesk_mgmt's /ticket/close, overridden: POST with CSRF, the ticket
    looked up with the portal user's own rights, one rating request."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.alice = new_test_user(
            cls.env, login="close_alice", groups="base.group_portal", email="a@x.test"
        )
        cls.bob = new_test_user(
            cls.env, login="close_bob", groups="base.group_portal", email="b@x.test"
        )
        cls.ticket_a = cls._ticket("Alice's parcel", partner_id=cls.alice.partner_id.id)
        cls.ticket_b = cls._ticket("Bob's parcel", partner_id=cls.bob.partner_id.id)
        cls.closing = cls.env["helpdesk.ticket.stage"].search(
            [("close_from_portal", "=", True)], limit=1
        ) or cls.env["helpdesk.ticket.stage"].search([("closed", "=", True)], limit=1)
        cls.closing.close_from_portal = True
        cls.open_stage = cls.ticket_a.stage_id

    def close(self, ticket, csrf=True, method="POST"):
        page = self.url_open(f"/my/ticket/{self.ticket_a.id}").text
        data = {"ticket_id": str(ticket.id), "stage_id": str(self.closing.id)}
        if csrf:
            data["csrf_token"] = page.split('name="csrf_token" value="', 1)[1].split(
                '"', 1
            )[0]
        if method == "GET":
            query = "&".join(f"{k}={v}" for k, v in data.items())
            return self.url_open(f"/ticket/close?{query}", allow_redirects=False)
        return self.url_open("/ticket/close", data=data, allow_redirects=False)

    def test_someone_else_s_ticket_is_not_found(self):
        self.authenticate("close_alice", "close_alice")
        reply = self.close(self.ticket_b)
        self.assertEqual(reply.status_code, 404)
        self.ticket_b.invalidate_recordset()
        self.assertFalse(self.ticket_b.stage_id.closed)
        self.assertFalse(self.ticket_b.rating_ids)
        for bad in ("abc", "-1", "999999999"):
            reply = self.url_open(
                "/ticket/close",
                data={"ticket_id": bad, "stage_id": "x", "csrf_token": "x"},
            )
            self.assertIn(reply.status_code, (400, 404), bad)

    def test_get_and_missing_csrf_refused(self):
        self.authenticate("close_alice", "close_alice")
        self.assertEqual(self.close(self.ticket_a, method="GET").status_code, 405)
        self.assertEqual(self.close(self.ticket_a, csrf=False).status_code, 400)
        self.ticket_a.invalidate_recordset()
        self.assertEqual(self.ticket_a.stage_id, self.open_stage)

    def test_own_ticket_closed_and_rated_once(self):
        self.authenticate("close_alice", "close_alice")
        page = self.url_open(f"/my/ticket/{self.ticket_a.id}").text
        self.assertIn('method="POST"', page.split("/ticket/close", 1)[0][-300:])
        reply = self.close(self.ticket_a)
        self.assertEqual(reply.status_code, 303)
        self.ticket_a.invalidate_recordset()
        self.assertEqual(self.ticket_a.stage_id, self.closing)
        self.assertEqual(len(self.ticket_a.rating_ids), 1)
        # reopened by the team, closed again: no second request
        self.ticket_a.stage_id = self.open_stage
        self.ticket_a.stage_id = self.closing
        self.assertEqual(len(self.ticket_a.rating_ids), 1)
