# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import tagged

from .common import DeskCase


@tagged("post_install", "-at_install")
class TestRating(DeskCase):
    def _close(self, ticket):
        closed = self.env["helpdesk.ticket.stage"].search(
            [("closed", "=", True)], limit=1
        )
        ticket.stage_id = closed

    def _requests(self, ticket):
        return self.env["mail.mail"].search(
            [
                ("model", "=", "helpdesk.ticket"),
                ("res_id", "=", ticket.id),
                ("subject", "like", "How did we do"),
            ]
        )

    def test_closing_queues_a_rating_request(self):
        ticket = self._ticket()
        self._close(ticket)
        mail = self._requests(ticket)
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.state, "outgoing")
        token = ticket._rating_get_access_token()
        self.assertIn(f"/rate/{token}/5", mail.body_html)
        self._close(ticket)
        self.assertEqual(len(self._requests(ticket)), 1, "only when it gets closed")

    def test_rating_is_stored_on_the_ticket(self):
        ticket = self._ticket()
        self._close(ticket)
        rating = ticket.rating_apply(
            3, token=ticket._rating_get_access_token(), feedback="Fine"
        )
        self.assertEqual(
            (rating.res_model, rating.res_id), ("helpdesk.ticket", ticket.id)
        )
        self.assertEqual(ticket.rating_ids.filtered("consumed").rating_text, "ok")

    def test_no_request_without_consent(self):
        self.customer._ecrm_set_consent("email", "opt_out", "portal")
        ticket = self._ticket()
        self._close(ticket)
        self.assertFalse(self._requests(ticket))

    def test_stage_rating_template_of_helpdesk_mgmt_rating(self):
        """A stage's own rating template (OCA helpdesk_mgmt_rating) replaces
        the eCRM one: still one request per ticket, queued, with consent."""
        closed = self.env["helpdesk.ticket.stage"].search(
            [("closed", "=", True)], limit=1
        )
        closed.rating_mail_template_id = self.env.ref(
            "helpdesk_mgmt_rating.rating_ticket_email_template"
        )
        ticket = self._ticket()
        self._close(ticket)
        self.assertEqual(len(ticket.rating_ids), 1)
        mails = self.env["mail.mail"].search(
            [("model", "=", "helpdesk.ticket"), ("res_id", "=", ticket.id)]
        )
        survey = mails.filtered(lambda m: "Satisfaction Survey" in m.subject)
        self.assertEqual(len(survey), 1)
        self.assertEqual(survey.state, "outgoing", "queued, not sent inline")
        self.assertFalse(self._requests(ticket), "no second request")
        self.customer._ecrm_set_consent("email", "opt_out", "portal")
        refused = self._ticket()
        self._close(refused)
        self.assertFalse(refused.rating_ids)

    def test_no_rating_status(self):
        ticket = self._ticket(rating_status="no_rate")
        self._close(ticket)
        self.assertFalse(self._requests(ticket))
        self.assertFalse(ticket.rating_ids)
