# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    ecrm_chat_id = fields.Many2one(
        "discuss.channel",
        string="From chat",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
        domain=[("channel_type", "=", "livechat")],
        help="The live chat conversation the ticket was created from.",
    )
