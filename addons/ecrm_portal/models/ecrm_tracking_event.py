# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models

# The steps of a delivery, in the order they happen; the rank of a state is its
# position (an order's state is the least advanced of its deliveries).
TRACKING_STATES = [
    ("processed", "Processed"),
    ("packed", "Packed"),
    ("shipped", "Shipped"),
    ("on_the_way", "On the way"),
    ("delivered", "Delivered"),
    ("returned", "Returned"),
    ("cancelled", "Cancelled"),
]
TRACKING_RANK = {state: rank for rank, (state, _label) in enumerate(TRACKING_STATES)}
TRACKING_SOURCES = [
    ("system", "System"),
    ("carrier", "Carrier"),
    ("customer", "Customer"),
    ("staff", "Staff"),
]


class EcrmTrackingEvent(models.Model):
    """One step of a delivery, recorded once: the date shown to the customer
    on the portal and a source of the 360° timeline."""

    _name = "ecrm.tracking.event"
    _description = "eCRM Tracking Event"
    _order = "date desc, id desc"
    _check_company_auto = True

    order_id = fields.Many2one(
        "sale.order", required=True, index=True, ondelete="cascade", check_company=True
    )
    picking_id = fields.Many2one(
        "stock.picking",
        string="Delivery",
        help="Empty while the goods are prepared before their delivery exists.",
        index=True,
        ondelete="cascade",
        check_company=True,
    )
    state = fields.Selection(TRACKING_STATES, required=True)
    date = fields.Datetime(required=True, default=fields.Datetime.now)
    source = fields.Selection(TRACKING_SOURCES, required=True, default="system")
    note = fields.Char()
    applied = fields.Boolean(
        help="Whether the event moved the delivery to its state (an event older "
        "than the delivery's current step is recorded without moving it back)."
    )
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True
    )
    company_id = fields.Many2one("res.company", required=True, index=True)
    mail_id = fields.Many2one("mail.mail", string="Notification", readonly=True)

    _sql_constraints = [
        (
            "event_unique",
            "UNIQUE(picking_id, state, source, date)",
            "This tracking event was already recorded.",
        ),
    ]

    @api.model
    def _ecrm_template(self, state):
        return self.env.ref(
            f"ecrm_portal.mail_template_tracking_{state}", raise_if_not_found=False
        )

    def _ecrm_notify(self):
        """Queue the step's email to the customer, once per step of a delivery,
        when their level grants tracking and they accept emails."""
        for event in self:
            order = event.order_id
            customer = order.partner_id.with_company(order.company_id).sudo()
            template = self._ecrm_template(event.state)
            already = self.sudo().search_count(
                [
                    ("order_id", "=", event.order_id.id),
                    ("picking_id", "=", event.picking_id.id),
                    ("state", "=", event.state),
                    ("mail_id", "!=", False),
                ],
                limit=1,
            )
            if (
                not template
                or already
                or not customer._ecrm_has_service("order_tracking")
                or not customer._ecrm_has_consent("email")
            ):
                continue
            mail_id = template.sudo().send_mail(event.id, force_send=False)
            event.sudo().mail_id = mail_id
