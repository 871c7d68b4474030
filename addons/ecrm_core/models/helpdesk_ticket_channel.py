# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models

from .ecrm_interaction_log import CHANNELS


class HelpdeskTicketChannel(models.Model):
    _inherit = "helpdesk.ticket.channel"

    ecrm_channel = fields.Selection(
        CHANNELS,
        string="eCRM channel",
        help="How tickets of this channel count in the eCRM timeline and channel mix.",
    )
