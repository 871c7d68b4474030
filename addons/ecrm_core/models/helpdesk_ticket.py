# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import re
import threading
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import SQL, email_normalize

from .helpdesk_ticket_team import ACK_LIMIT

SLA_STATES = [
    ("on_track", "On track"),
    ("at_risk", "At risk"),
    ("breached", "Breached"),
    ("met", "Met"),
]
DEFAULT_SLA_HOURS = 24.0
NO_REPLY = re.compile(
    r"^(no-?reply|do-?not-?reply|mailer-daemon|postmaster|bounces?)\b"
)
SLA_BATCH = 500
SLA_GROUP = "helpdesk_mgmt.group_helpdesk_user_own"


class HelpdeskTicket(models.Model):
    _name = "helpdesk.ticket"
    _inherit = ["helpdesk.ticket", "rating.mixin", "ecrm.feedback.mixin"]

    ecrm_level_id = fields.Many2one(
        "ecrm.level",
        string="eCRM level",
        readonly=True,
        index=True,
        groups=SLA_GROUP,
        help="The customer's eCRM level when the ticket was opened.",
    )
    # SLA state: plain fields written by events and by the SLA cron.
    ecrm_first_response_deadline = fields.Datetime(
        string="First response due", readonly=True, copy=False, groups=SLA_GROUP
    )
    ecrm_first_response_date = fields.Datetime(
        string="First response", readonly=True, copy=False, groups=SLA_GROUP
    )
    ecrm_sla_at_risk_date = fields.Datetime(
        string="SLA at risk from", readonly=True, copy=False, groups=SLA_GROUP
    )
    ecrm_resolution_deadline = fields.Datetime(
        string="Resolution due", readonly=True, copy=False, groups=SLA_GROUP
    )
    ecrm_sla_state = fields.Selection(
        SLA_STATES,
        string="SLA",
        readonly=True,
        copy=False,
        index=True,
        groups=SLA_GROUP,
    )
    ecrm_sla_breach_notified = fields.Boolean(
        readonly=True, copy=False, groups=SLA_GROUP
    )
    ecrm_acknowledged_at = fields.Datetime(
        string="Acknowledged", readonly=True, copy=False, groups=SLA_GROUP
    )

    @api.model_create_multi
    def create(self, vals_list):
        tickets = super().create(vals_list)
        for ticket in tickets.sudo():
            ticket._ecrm_on_create()
        return tickets

    def write(self, vals):
        closing = self.browse()
        if vals.get("stage_id"):
            stage = self.env["helpdesk.ticket.stage"].browse(vals["stage_id"])
            if stage.closed:
                closing = self.filtered(lambda t: not t.closed)
        result = super().write(vals)
        closing.sudo()._ecrm_send_rating_request()
        return result

    # ------------------------------------------------------------------
    # Opening: level, routing, SLA deadlines, acknowledgement
    # ------------------------------------------------------------------

    def _ecrm_on_create(self):
        self.ensure_one()
        customer = self.partner_id.commercial_partner_id.with_company(self.company_id)
        level = customer.sudo().ecrm_level_id
        values = {"ecrm_level_id": level.id}
        if level.ecrm_ticket_priority and level.ecrm_ticket_priority > self.priority:
            values["priority"] = level.ecrm_ticket_priority
        self.write(values)
        if not self.team_id:
            routed = self.env["ecrm.routing.rule"]._ecrm_route(self)
            team = self.env["helpdesk.ticket.team"].browse(routed.get("team_id"))
            if self.user_id in team.user_ids:
                routed.pop("user_id", None)  # already with an agent of that team
            self.write(routed)
        self._ecrm_plan_deadlines()
        if self._ecrm_may_autorespond():
            self._ecrm_send_acknowledgement()

    def _ecrm_sla_hours(self):
        return self.ecrm_level_id.sla_hours or DEFAULT_SLA_HOURS

    def _ecrm_plan(self, start, hours):
        calendar = (
            self.team_id.resource_calendar_id or self.company_id.resource_calendar_id
        )
        if not calendar:
            return start + timedelta(hours=hours)
        return calendar.plan_hours(hours, start, compute_leaves=True)

    def _ecrm_plan_deadlines(self):
        self.ensure_one()
        policy = self.env["ecrm.sla.policy"]._ecrm_find(self)
        start = fields.Datetime.now()
        deadline = self._ecrm_plan(start, self._ecrm_sla_hours())
        at_risk_share = (self.team_id.ecrm_sla_at_risk_percent or 80) / 100
        self.write(
            {
                "ecrm_first_response_deadline": deadline,
                "ecrm_sla_at_risk_date": start + (deadline - start) * at_risk_share,
                "ecrm_resolution_deadline": policy
                and self._ecrm_plan(start, policy.resolution_hours),
                "ecrm_sla_state": "on_track",
            }
        )

    def _ecrm_sender_email(self):
        return email_normalize(self.partner_email or self.partner_id.email or "")

    def _ecrm_may_autorespond(self):
        """The rules of the autoresponder: a real sender who may be emailed,
        no automatic or bulk mail (mail loops), and a rate limit per sender."""
        self.ensure_one()
        email = self._ecrm_sender_email()
        if not email or self.env.context.get("ecrm_automated_email"):
            return False
        if NO_REPLY.match(email.split("@")[0]):
            return False
        if self.partner_id and not self.partner_id._ecrm_has_consent("email"):
            return False
        limit = self.team_id.ecrm_ack_limit_per_hour if self.team_id else ACK_LIMIT
        recent = self.search_count(
            [
                ("partner_email", "=ilike", email),
                (
                    "ecrm_acknowledged_at",
                    ">=",
                    fields.Datetime.now() - timedelta(hours=1),
                ),
            ]
        )
        return recent < limit

    def _ecrm_faq_suggestions(self):
        self.ensure_one()
        text = f"{self.name} {self.description or ''}"
        return self.env["ecrm.faq.article"]._ecrm_match(text, limit=3)

    def _ecrm_send_acknowledgement(self):
        self.ensure_one()
        if not self.partner_email:
            self.partner_email = self._ecrm_sender_email()
        template = self.env.ref("ecrm_core.mail_template_ticket_acknowledgement")
        template.send_mail(self.id, force_send=False)
        self.ecrm_acknowledged_at = fields.Datetime.now()

    # ------------------------------------------------------------------
    # First response and SLA state
    # ------------------------------------------------------------------

    def _message_post_after_hook(self, message, msg_vals):
        result = super()._message_post_after_hook(message, msg_vals)
        if self._ecrm_is_first_response(message):
            date = message.date or fields.Datetime.now()
            ticket = self.sudo()
            ticket.write(
                {
                    "ecrm_first_response_date": date,
                    "ecrm_sla_state": "met"
                    if not ticket.ecrm_first_response_deadline
                    or date <= ticket.ecrm_first_response_deadline
                    else "breached",
                }
            )
        return result

    def _ecrm_is_first_response(self, message):
        """A first response is a message to the customer written by a person of
        the company: not an internal note, not an automatic mail."""
        if len(self) != 1 or self.sudo().ecrm_first_response_date:
            return False
        if self.env.context.get("ecrm_automated_email"):
            return False
        author = message.author_id
        return bool(
            message.message_type in ("comment", "email")
            and message.subtype_id == self.env.ref("mail.mt_comment")
            and author
            and author != self.env.ref("base.partner_root")
            and any(not user.share for user in author.user_ids)
        )

    @api.model
    def _ecrm_cron_sla(self):
        """Move waiting tickets along on track → at risk → breached (one
        query), then notify each new breach once."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                UPDATE helpdesk_ticket t
                   SET ecrm_sla_state = CASE
                           WHEN %(now)s > t.ecrm_first_response_deadline THEN 'breached'
                           WHEN %(now)s >= t.ecrm_sla_at_risk_date THEN 'at_risk'
                           ELSE 'on_track'
                       END
                  FROM helpdesk_ticket_stage stage
                 WHERE stage.id = t.stage_id
                   AND stage.closed IS NOT TRUE
                   AND t.ecrm_first_response_date IS NULL
                   AND t.ecrm_first_response_deadline IS NOT NULL
                   AND t.ecrm_sla_state IN ('on_track', 'at_risk')
                """,
                now=fields.Datetime.now(),
            )
        )
        self.env.invalidate_all()
        breached = self.search(
            [
                ("ecrm_sla_state", "=", "breached"),
                ("ecrm_sla_breach_notified", "=", False),
            ]
        )
        auto_commit = not getattr(threading.current_thread(), "testing", False)
        for done in range(0, len(breached), SLA_BATCH):
            batch = breached[done : done + SLA_BATCH]
            batch._ecrm_notify_breach()
            self.env["ir.cron"]._notify_progress(
                done=done + len(batch), remaining=len(breached) - done - len(batch)
            )
            if auto_commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit

    def _ecrm_notify_breach(self):
        activity_type = self.env.ref("mail.mail_activity_data_todo")
        for ticket in self:
            leader = ticket.team_id.user_id or ticket.user_id
            note = self.env._(
                "First response promised by %(deadline)s was not given.",
                deadline=fields.Datetime.to_string(ticket.ecrm_first_response_deadline),
            )
            if leader:
                ticket.activity_schedule(
                    activity_type_id=activity_type.id,
                    summary=self.env._("SLA breached"),
                    note=note,
                    user_id=leader.id,
                )
            ticket._message_log(body=Markup("<p>%s</p>") % note)
        self.write({"ecrm_sla_breach_notified": True})

    # ------------------------------------------------------------------
    # Feedback and proactive service
    # ------------------------------------------------------------------

    def _ecrm_send_rating_request(self):
        """Ask once per ticket: a ticket closed again after a reopening has
        its rating request already."""
        template = self.env.ref("ecrm_core.mail_template_ticket_rating_request")
        self.filtered(lambda ticket: not ticket.rating_ids)._ecrm_request_rating(
            template
        )

    def rating_apply(self, rate, *args, **kwargs):
        rating = super().rating_apply(rate, *args, **kwargs)
        if rate <= 2 and self.sudo().ecrm_sla_state == "breached":
            self.partner_id.commercial_partner_id.sudo()._ecrm_proactive_followup(
                self.env._(
                    "Ticket %(ticket)s breached its SLA and was rated %(rating)s.",
                    ticket=self.number,
                    rating=rating.rating_text,
                )
            )
        return rating
