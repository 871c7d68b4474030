# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL, email_normalize

from .helpdesk_ticket_team import ACK_LIMIT, TEAM_ACK_LIMIT
from .mail_thread import is_automated_email, is_no_reply_address

_logger = logging.getLogger(__name__)

SLA_STATES = [
    ("on_track", "On track"),
    ("at_risk", "At risk"),
    ("breached", "Breached"),
    ("met", "Met"),
]
DEFAULT_SLA_HOURS = 24.0
SLA_BATCH = 500
SLA_GROUP = "helpdesk_mgmt.group_helpdesk_user_own"
# Written by the eCRM engine only (as superuser), never by agents over RPC.
ENGINE_FIELDS = frozenset(
    {
        "ecrm_level_id",
        "ecrm_first_response_deadline",
        "ecrm_first_response_date",
        "ecrm_sla_at_risk_date",
        "ecrm_resolution_deadline",
        "ecrm_sla_state",
        "ecrm_sla_breach_notified",
        "ecrm_acknowledged_at",
        "ecrm_sender_email",
    }
)
# RFC 3834 (and Exchange's) marks of an automatic answer, which well-behaved
# auto-responders do not answer.
ACK_HEADERS = {"Auto-Submitted": "auto-replied", "X-Auto-Response-Suppress": "All"}


class HelpdeskTicket(models.Model):
    # rating.mixin comes with OCA helpdesk_mgmt_rating
    _name = "helpdesk.ticket"
    _inherit = ["helpdesk.ticket", "ecrm.feedback.mixin"]

    ecrm_level_id = fields.Many2one(
        "ecrm.level",
        string="eCRM level",
        readonly=True,
        copy=False,
        index=True,
        groups=SLA_GROUP,
        help="The customer's eCRM level when the ticket was opened.",
    )
    ecrm_sender_email = fields.Char(
        string="Sender address",
        compute="_compute_ecrm_sender_email",
        store=True,
        index="btree_not_null",
        help="The customer's bare email address, lowercase (the autoresponder "
        "counts its acknowledgements per address).",
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

    def init(self):
        # the SLA cron's two questions: waiting tickets, breaches to notify
        self.env.cr.execute(
            """
            CREATE INDEX IF NOT EXISTS helpdesk_ticket_ecrm_sla_waiting_index
                ON helpdesk_ticket (ecrm_first_response_deadline)
             WHERE ecrm_first_response_date IS NULL
               AND ecrm_sla_state IN ('on_track', 'at_risk');
            CREATE INDEX IF NOT EXISTS helpdesk_ticket_ecrm_sla_breach_pending_index
                ON helpdesk_ticket (id)
             WHERE ecrm_sla_state = 'breached'
               AND ecrm_sla_breach_notified IS NOT TRUE;
            CREATE INDEX IF NOT EXISTS helpdesk_ticket_ecrm_acknowledged_at_index
                ON helpdesk_ticket (team_id, ecrm_acknowledged_at)
             WHERE ecrm_acknowledged_at IS NOT NULL;
            """
        )

    @api.depends("partner_email", "partner_id")
    def _compute_ecrm_sender_email(self):
        for ticket in self:
            ticket.ecrm_sender_email = (
                email_normalize(ticket.partner_email or "")
                or email_normalize(ticket.partner_id.email or "")
                or False
            )

    @api.model_create_multi
    def create(self, vals_list):
        self._ecrm_check_engine_fields(set().union(*vals_list))
        tickets = super().create(vals_list)
        for ticket in tickets.sudo():
            ticket._ecrm_isolated("plan", ticket._ecrm_on_create)
            ticket._ecrm_isolated("acknowledge", ticket._ecrm_acknowledge)
        return tickets

    def write(self, vals):
        self._ecrm_check_engine_fields(vals)
        closing = self.browse()
        if vals.get("stage_id"):
            stage = self.env["helpdesk.ticket.stage"].browse(vals["stage_id"])
            if stage.closed:
                closing = self.filtered(lambda t: not t.closed)
        result = super().write(vals)
        closing.sudo()._ecrm_send_rating_request()
        return result

    def _ecrm_check_engine_fields(self, fnames):
        """The SLA fields and the level of a ticket are the engine's: an agent
        who could write them over RPC could forge their SLA record."""
        forged = ENGINE_FIELDS & set(fnames)
        if forged and not self.env.su:
            raise AccessError(
                self.env._(
                    "The SLA fields of a ticket are set by the eCRM engine only "
                    "(%(fields)s).",
                    fields=", ".join(sorted(forged)),
                )
            )

    def _ecrm_isolated(self, step, method):
        """Run one step of the eCRM work of a new ticket in a savepoint: if it
        fails (a bad setting, a mail template error), the step is logged and
        undone, and the ticket — with the email that opened it — is kept."""
        try:
            with self.env.cr.savepoint():
                method()
        except Exception:
            _logger.exception(
                "eCRM %s step failed on ticket %s; the ticket is kept", step, self.id
            )

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

    def _ecrm_sla_hours(self):
        return self.ecrm_level_id.sla_hours or DEFAULT_SLA_HOURS

    def _ecrm_plan(self, start, hours):
        """``start`` + ``hours`` working hours of the team's (or company's)
        calendar; in calendar hours when the calendar cannot place them (no
        working time, or beyond the ~4 years Odoo searches)."""
        calendar = (
            self.team_id.resource_calendar_id or self.company_id.resource_calendar_id
        )
        deadline = calendar and calendar.plan_hours(hours, start, compute_leaves=True)
        if not deadline:
            if calendar:
                _logger.warning(
                    "Calendar %s cannot place %s working hours after %s: "
                    "SLA deadline of ticket %s counted in calendar hours",
                    calendar.name,
                    hours,
                    start,
                    self.id,
                )
            deadline = start + timedelta(hours=hours)
        return deadline

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

    def _ecrm_may_autorespond(self):
        """The rules of the autoresponder: a real sender who may be emailed
        (consent in the ticket's company, address not blacklisted), no
        automatic or bulk mail (mail loops), and two caps per hour: per
        sender address and per team (per company for tickets without a
        team)."""
        self.ensure_one()
        email = self.ecrm_sender_email
        if not email or is_automated_email(self.env) or is_no_reply_address(email):
            return False
        if self.env["mail.blacklist"].sudo().search_count([("email", "=", email)]):
            return False
        partner = self.partner_id.with_company(self.company_id)
        if partner and not partner._ecrm_has_consent("email"):
            return False
        team = self.team_id
        since = [
            ("ecrm_acknowledged_at", ">=", fields.Datetime.now() - timedelta(hours=1))
        ]
        if self.search_count([("ecrm_sender_email", "=", email)] + since) >= (
            team.ecrm_ack_limit_per_hour if team else ACK_LIMIT
        ):
            return False
        scope = (
            [("team_id", "=", team.id)]
            if team
            else [("team_id", "=", False), ("company_id", "=", self.company_id.id)]
        )
        return self.search_count(scope + since) < (
            team.ecrm_ack_team_limit_per_hour if team else TEAM_ACK_LIMIT
        )

    def _ecrm_ack_quotes_request(self):
        """Whether the acknowledgement repeats the request's subject and the
        sender's name: only to a known contact, unless the team says so."""
        self.ensure_one()
        return bool(self.partner_id or self.team_id.ecrm_ack_quote_unknown)

    def _ecrm_faq_suggestions(self):
        self.ensure_one()
        text = f"{self.name} {self.description or ''}"
        return self.env["ecrm.faq.article"]._ecrm_match(
            text, limit=3, company=self.company_id
        )

    def _ecrm_acknowledge(self):
        if self._ecrm_may_autorespond():
            self._ecrm_send_acknowledgement()

    def _ecrm_send_acknowledgement(self):
        self.ensure_one()
        template = self.env.ref("ecrm_core.mail_template_ticket_acknowledgement")
        template.with_company(self.company_id).send_mail(
            self.id,
            force_send=False,
            email_values={
                "email_to": self.ecrm_sender_email,
                "headers": repr(ACK_HEADERS),
            },
        )
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
        if is_automated_email(self.env):
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
        statement, rewriting only the tickets whose state changes), then
        notify one batch of new breaches, each on its own (Odoo's cron batch
        protocol: the scheduler commits and calls again while some remain)."""
        self.env.flush_all()
        now = fields.Datetime.now()
        self.env.cr.execute(
            SQL(
                """
                WITH due AS (
                    SELECT t.id,
                           CASE
                           WHEN %(now)s > t.ecrm_first_response_deadline
                               THEN 'breached'
                           WHEN %(now)s >= t.ecrm_sla_at_risk_date THEN 'at_risk'
                           ELSE 'on_track'
                           END AS state
                      FROM helpdesk_ticket t
                      JOIN helpdesk_ticket_stage stage ON stage.id = t.stage_id
                     WHERE stage.closed IS NOT TRUE
                       AND t.ecrm_first_response_date IS NULL
                       AND t.ecrm_first_response_deadline IS NOT NULL
                       AND t.ecrm_sla_state IN ('on_track', 'at_risk')
                )
                UPDATE helpdesk_ticket t
                   SET ecrm_sla_state = due.state,
                       write_date = %(now)s,
                       write_uid = %(uid)s
                  FROM due
                 WHERE due.id = t.id
                   AND t.ecrm_sla_state IS DISTINCT FROM due.state
             RETURNING t.id
                """,
                now=now,
                uid=self.env.uid,
            )
        )
        changed = [row[0] for row in self.env.cr.fetchall()]
        self.browse(changed).invalidate_recordset(
            ["ecrm_sla_state", "write_date", "write_uid"]
        )
        pending = [
            ("ecrm_sla_state", "=", "breached"),
            ("ecrm_sla_breach_notified", "=", False),
        ]
        batch = self.search(pending, order="id", limit=SLA_BATCH)
        done = 0
        for ticket in batch:
            try:
                with self.env.cr.savepoint():
                    ticket._ecrm_notify_breach()
                done += 1
            except Exception:
                _logger.exception(
                    "SLA breach notification of ticket %s failed", ticket.id
                )
        self.env["ir.cron"]._notify_progress(
            done=done, remaining=self.search_count(pending) - (len(batch) - done)
        )

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

    def _ecrm_send_rating_request(self, template=None):
        """Ask once per ticket (a ticket closed again after a reopening has
        its request already), with the eCRM template unless a stage gives
        its own, never for a ticket set to "No rating"."""
        template = template or self.env.ref(
            "ecrm_core.mail_template_ticket_rating_request"
        )
        self.filtered(
            lambda ticket: ticket.rating_status == "stage_change"
        )._ecrm_request_rating(template)

    def _send_ticket_rating_mail(self, force_send=False):
        # helpdesk_mgmt_rating sends a stage's rating template at once on
        # every move into that stage; here it is the eCRM request: queued,
        # with consent, once per ticket (the closing then sends no other).
        for ticket in self.sudo():
            ticket._ecrm_send_rating_request(ticket.stage_id.rating_mail_template_id)

    def rating_apply(self, rate, *args, **kwargs):
        rating = super().rating_apply(rate, *args, **kwargs)
        if rate <= 2 and self.sudo().ecrm_sla_state == "breached":
            self.partner_id.commercial_partner_id.with_company(
                self.company_id
            ).sudo()._ecrm_proactive_followup(
                self.env._(
                    "Ticket %(ticket)s breached its SLA and was rated %(rating)s.",
                    ticket=self.number,
                    rating=rating.rating_text,
                )
            )
        return rating
