# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools.sql import create_index

from .ecrm_tracking_event import TRACKING_RANK, TRACKING_STATES

# States only events (carrier, customer, staff) bring; Odoo's records stop at shipped.
EVENT_STATES = ("on_the_way", "delivered", "returned")


class StockPicking(models.Model):
    _inherit = ["rating.mixin", "stock.picking", "ecrm.feedback.mixin"]
    _name = "stock.picking"

    ecrm_tracking_state = fields.Selection(
        TRACKING_STATES,
        string="Tracking state",
        readonly=True,
        copy=False,
        index=True,
        help="Where the customer's delivery is, as shown on the portal.",
    )
    ecrm_tracking_event_ids = fields.One2many(
        "ecrm.tracking.event", "picking_id", string="Tracking events"
    )

    def init(self):
        res = super().init()
        # the carrier webhook finds a delivery by its carrier's tracking reference
        create_index(
            self.env.cr,
            "stock_picking_ecrm_carrier_tracking_ref_index",
            self._table,
            ["carrier_id", "carrier_tracking_ref"],
            where="carrier_tracking_ref IS NOT NULL",
        )
        return res

    def _ecrm_is_customer_delivery(self):
        self.ensure_one()
        return (
            self.picking_type_code == "outgoing"
            and not self.return_id
            and bool(self.sale_id)
        )

    def _ecrm_derived_state(self):
        """The step Odoo's own records show (moves, returns, cancellation)."""
        self.ensure_one()
        if self.state == "cancel":
            return "cancelled"
        if any(ret.state == "done" for ret in self.return_ids):
            return "returned"
        if self.state == "done":
            return "shipped"
        if self.state == "assigned":
            return "packed"
        return "processed"

    def _ecrm_sync_tracking(self):
        """Move each customer delivery of ``self`` to the step its records show;
        nothing moves backwards except through a return or a cancellation."""
        for picking in self.sudo():
            if not picking._ecrm_is_customer_delivery():
                continue
            state = picking._ecrm_derived_state()
            if (
                not picking.ecrm_tracking_state
                and state not in ("processed", "cancelled")
                and "processed"
                not in picking.sale_id.ecrm_tracking_event_ids.mapped("state")
            ):
                # reserved at once: the order was still processed first
                picking._ecrm_apply_tracking("processed", "system")
            picking._ecrm_apply_tracking(state, "system")

    def _ecrm_apply_tracking(self, state, source, date=None, note=False):
        """Record the event ``state`` of this delivery; move the delivery to it
        unless it is behind its current step. Returns the event, or an empty
        recordset when the same event was already recorded."""
        self.ensure_one()
        current = self.ecrm_tracking_state
        Event = self.env["ecrm.tracking.event"].sudo()
        # a step Odoo's records show is recorded once, whenever it is derived
        # again (a later re-sync must not add an older step after a newer one)
        if source == "system" and (
            current == state
            or Event.search_count(
                [
                    ("picking_id", "=", self.id),
                    ("state", "=", state),
                    ("source", "=", "system"),
                ],
                limit=1,
            )
        ):
            return Event.browse()
        date = date or fields.Datetime.now()
        if state == "processed" and not current:
            # the order's step recorded while its goods were prepared (multi-step
            # routes) becomes this delivery's first step, not a second one
            prepared = Event.search(
                [
                    ("order_id", "=", self.sale_id.id),
                    ("picking_id", "=", False),
                    ("state", "=", "processed"),
                ],
                limit=1,
            )
            if prepared:
                prepared.picking_id = self
                self.sudo().ecrm_tracking_state = state
                return prepared
        moves = (
            not current
            or state in ("cancelled", "returned")
            or (
                current not in ("cancelled", "returned")
                and TRACKING_RANK[state] > TRACKING_RANK[current]
            )
        )
        if moves and current == state:
            moves = False
        event = Event._ecrm_record(self, state, source, date, note, moves)
        if event and moves:
            self.sudo().ecrm_tracking_state = state
            event._ecrm_wake_mail_cron()
            if state == "delivered" and source in ("customer", "staff"):
                # a person clicked and the page they see next asks for the
                # rating; a carrier's event leaves the request to the cron
                self._ecrm_request_delivery_rating()
        return event

    def _ecrm_request_delivery_rating(self):
        template = self.env.ref(
            "ecrm_portal.mail_template_delivery_rating", raise_if_not_found=False
        )
        if template:
            self.sudo()._ecrm_request_rating(template)

    def _ecrm_pending_rating(self):
        """The delivery's rating request the customer has not answered yet."""
        self.ensure_one()
        return self.sudo().rating_ids.filtered(lambda r: not r.consumed)[:1]

    def _rating_get_partner(self):
        return self.sale_id.partner_id or super()._rating_get_partner()

    def action_ecrm_mark_delivered(self):
        """The staff's button. Over RPC a portal customer may call it on their
        own delivery, which they can read: only who may change the delivery
        records a staff event (the customer has "I received it")."""
        self.check_access("write")
        for picking in self:
            if picking.ecrm_tracking_state not in ("shipped", "on_the_way"):
                raise UserError(
                    self.env._(
                        "Only a shipped delivery can be marked as delivered "
                        "(%(name)s).",
                        name=picking.name,
                    )
                )
            picking._ecrm_apply_tracking("delivered", "staff")
        return True

    def _action_done(self):
        result = super()._action_done()
        self.sudo().sale_id._ecrm_sync_tracking()
        return result
