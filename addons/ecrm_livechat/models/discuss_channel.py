# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, html2plaintext

TICKET_COMMAND = "/ticket"


class DiscussChannel(models.Model):
    _inherit = "discuss.channel"

    ecrm_ticket_ids = fields.One2many(
        "helpdesk.ticket", "ecrm_chat_id", string="Tickets"
    )
    ecrm_ticket_count = fields.Integer(compute="_compute_ecrm_ticket_count")

    @api.depends("ecrm_ticket_ids")
    def _compute_ecrm_ticket_count(self):
        for channel in self:
            channel.ecrm_ticket_count = len(channel.ecrm_ticket_ids)

    def _ecrm_customer(self):
        """The known customer of a live chat: its member who is neither the
        operator nor an employee (a signed-in portal user); none for a guest."""
        self.ensure_one()
        return (
            self.sudo()
            .with_context(active_test=False)
            .channel_partner_ids.filtered(
                lambda partner: (
                    partner != self.livechat_operator_id
                    and partner.partner_share
                    and not partner.is_public
                )
            )[:1]
        )

    def _ecrm_create_ticket(self, title=None):
        """A helpdesk ticket from this conversation, created with the
        operator's own rights: the customer (whose level gives the ticket its
        SLA, see ``ecrm_core``), the transcript as description, the *Chat*
        channel."""
        self.ensure_one()
        if self.channel_type != "livechat":
            raise UserError(self.env._("Only a live chat can become a ticket."))
        customer = self._ecrm_customer()
        return self.env["helpdesk.ticket"].create(
            {
                "name": title
                or self.env._(
                    "Chat with %(customer)s",
                    customer=customer.name or self.anonymous_name or self.name,
                ),
                "description": self._get_channel_history(),
                "partner_id": customer.id,
                "channel_id": self.env.ref("ecrm_core.helpdesk_ticket_channel_chat").id,
                "ecrm_chat_id": self.id,
            }
        )

    def execute_command_ticket(self, **kwargs):
        """``/ticket <title>`` typed by the operator in the conversation."""
        title = html2plaintext(kwargs.get("body", "")).strip()
        title = title[len(TICKET_COMMAND) :].strip()
        ticket = self._ecrm_create_ticket(title)
        self.env.user._bus_send_transient_message(
            self, self.env._("Created the ticket %s", ticket._get_html_link())
        )

    def action_ecrm_create_ticket(self):
        ticket = self._ecrm_create_ticket()
        return {
            "type": "ir.actions.act_window",
            "res_model": "helpdesk.ticket",
            "res_id": ticket.id,
            "view_mode": "form",
        }

    def action_ecrm_open_tickets(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "helpdesk_mgmt.helpdesk_ticket_action"
        )
        action["domain"] = [("ecrm_chat_id", "in", self.ids)]
        return action

    @api.model
    def _ecrm_chat_kpis(self, date_from, date_to, company_ids=None):
        """The chat figures of the period (days, both included), for the
        metrics: ``chats`` (live chat conversations opened), ``escalated``
        (those that became a ticket) and ``escalation_rate``, ``rated`` (those
        the customer rated) and ``csat`` (the share of them rated 4 or 5:
        Odoo's live chat rates 5, 3 or 1, so satisfied only). A chat belongs
        to the company of its operator."""
        company_ids = company_ids or self.env.companies.ids
        self.env["helpdesk.ticket"].flush_model(["ecrm_chat_id"])
        self.env["rating.rating"].flush_model(["res_model", "res_id", "consumed"])
        self.flush_model(["channel_type", "livechat_operator_id"])
        self.env.cr.execute(
            SQL(
                """
                WITH chats AS (
                    SELECT EXISTS (SELECT 1 FROM helpdesk_ticket t
                                    WHERE t.ecrm_chat_id = c.id) AS escalated,
                           (SELECT r.rating FROM rating_rating r
                             WHERE r.res_model = 'discuss.channel'
                               AND r.res_id = c.id AND r.consumed
                             ORDER BY r.write_date DESC LIMIT 1) AS rating
                      FROM discuss_channel c
                     WHERE c.channel_type = 'livechat'
                       AND c.create_date >= %(start)s AND c.create_date < %(end)s
                       AND (SELECT u.company_id FROM res_users u
                             WHERE u.partner_id = c.livechat_operator_id
                             ORDER BY u.id LIMIT 1) = ANY(%(companies)s)
                )
                SELECT count(*), count(*) FILTER (WHERE escalated),
                       count(rating), count(*) FILTER (WHERE rating >= 4)
                  FROM chats
                """,
                start=fields.Date.to_date(date_from),
                end=fields.Date.to_date(date_to) + timedelta(days=1),
                companies=company_ids,
            )
        )
        chats, escalated, rated, satisfied = self.env.cr.fetchone()
        return {
            "chats": chats,
            "escalated": escalated,
            "escalation_rate": escalated / chats if chats else None,
            "rated": rated,
            "csat": satisfied / rated if rated else None,
        }

    @api.model
    def _ecrm_demo_chat(self):
        """Demo: a rated conversation of the portal demo customer with Mitchell
        Admin on the eCRM Support channel, turned into a ticket."""
        customer = self.env.ref("base.partner_demo_portal")
        operator = self.env.ref("base.user_admin")
        chat = self.create(
            {
                "channel_type": "livechat",
                "livechat_channel_id": self.env.ref(
                    "ecrm_livechat.im_livechat_channel_support"
                ).id,
                "livechat_operator_id": operator.partner_id.id,
                "name": f"{customer.name} {operator.name}",
                "channel_member_ids": [
                    fields.Command.create({"partner_id": operator.partner_id.id}),
                    fields.Command.create({"partner_id": customer.id}),
                ],
            }
        )
        for author, body in (
            (customer, "Hello, my kettle arrived with a cracked lid."),
            (operator.partner_id, "Sorry about that! I open a ticket for a new lid."),
        ):
            chat.with_user(operator).message_post(
                body=body, author_id=author.id, message_type="comment"
            )
        chat.with_user(operator)._ecrm_create_ticket(self.env._("Cracked kettle lid"))
        token = chat._rating_get_access_token(customer)
        chat.rating_apply(5, token=token, feedback="Quick and kind")
