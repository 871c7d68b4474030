# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models

CONTACT_CHANNELS = [
    ("email", "Email"),
    ("sms", "SMS"),
    ("phone", "Phone"),
    ("post", "Post"),
    ("portal", "Portal"),
]


class EcrmConsent(models.Model):
    """A customer's consent to be contacted on one channel, in one company.

    Whether an eCRM message may go out is decided by
    ``res.partner._ecrm_filter_consent`` alone; this model only records what
    the customer said, when and where.
    """

    _name = "ecrm.consent"
    _inherit = ["ecrm.customer.mixin", "mail.thread"]
    _description = "eCRM Consent"
    _order = "partner_id, channel"
    _rec_name = "channel"

    partner_id = fields.Many2one(
        "res.partner",
        required=True,
        index=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    channel = fields.Selection(CONTACT_CHANNELS, required=True)
    state = fields.Selection(
        [("opt_in", "Opted in"), ("opt_out", "Opted out")],
        required=True,
        default="opt_in",
        tracking=True,
    )
    date = fields.Datetime(required=True, default=fields.Datetime.now, tracking=True)
    source = fields.Selection(
        [
            ("backend", "Backend"),
            ("portal", "Portal"),
            ("email", "Email (unsubscribe link)"),
            ("import", "Import"),
        ],
        required=True,
        default="backend",
        tracking=True,
    )
    note = fields.Char()

    _sql_constraints = [
        (
            "partner_company_channel_unique",
            "UNIQUE(partner_id, company_id, channel)",
            "A customer has one consent per channel and company.",
        ),
    ]

    def write(self, vals):
        if "state" in vals and "date" not in vals:
            vals["date"] = fields.Datetime.now()
        return super().write(vals)
