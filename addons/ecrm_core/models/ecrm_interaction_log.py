# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models

# Channels of the whole timeline; a manual log uses LOG_CHANNELS.
CHANNELS = [
    ("website", "Website"),
    ("portal", "Portal"),
    ("backend", "Backend / phone"),
    ("email", "Email"),
    ("phone", "Phone"),
    ("sms", "SMS"),
    ("chat", "Chat"),
    ("social", "Social media"),
    ("meeting", "Meeting"),
    ("store", "Store"),
    ("post", "Post"),
    ("delivery", "Delivery"),
    ("other", "Other"),
]
DIRECTIONS = [("in", "Incoming"), ("out", "Outgoing")]
INITIATIVES = [("reactive", "Reactive"), ("proactive", "Proactive")]

LOG_CHANNELS = [
    ("phone", "Phone call"),
    ("meeting", "Meeting"),
    ("chat", "Chat"),
    ("social", "Social media"),
    ("store", "Store visit"),
    ("email", "Email"),
    ("sms", "SMS"),
    ("post", "Post"),
    ("other", "Other"),
]


class EcrmInteractionLog(models.Model):
    """An interaction logged by hand; everything else in the timeline is read
    from the records where it happened (see ``ecrm.interaction``)."""

    _name = "ecrm.interaction.log"
    _inherit = ["ecrm.customer.mixin"]
    _description = "eCRM Logged Interaction"
    _order = "date desc, id desc"
    _rec_name = "summary"

    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    date = fields.Datetime(required=True, default=fields.Datetime.now)
    channel = fields.Selection(LOG_CHANNELS, required=True, default="phone")
    direction = fields.Selection(
        DIRECTIONS,
        required=True,
        default="in",
        help="Incoming: from the customer; outgoing: from the company.",
    )
    initiative = fields.Selection(
        INITIATIVES,
        required=True,
        default="reactive",
        help="Reactive: the customer started it; proactive: the company reached "
        "out first.",
    )
    summary = fields.Char(required=True)
    note = fields.Text()
    user_id = fields.Many2one(
        "res.users", string="Logged by", default=lambda self: self.env.user
    )
