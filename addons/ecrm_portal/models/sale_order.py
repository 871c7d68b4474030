# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models

from .ecrm_tracking_event import TRACKING_RANK, TRACKING_STATES


class SaleOrder(models.Model):
    _inherit = "sale.order"

    ecrm_tracking_state = fields.Selection(
        TRACKING_STATES,
        string="Tracking state",
        compute="_compute_ecrm_tracking_state",
        store=True,
        index=True,
        help="The least advanced step of the order's deliveries that are not "
        "cancelled; empty for orders without goods to deliver.",
    )
    ecrm_tracking_event_ids = fields.One2many(
        "ecrm.tracking.event", "order_id", string="Tracking events"
    )

    @api.depends("state", "picking_ids.ecrm_tracking_state", "picking_ids.state")
    def _compute_ecrm_tracking_state(self):
        for order in self:
            states = [
                picking.ecrm_tracking_state
                for picking in order.picking_ids
                if picking.ecrm_tracking_state
            ]
            if order._ecrm_pending_preparation():
                states.append("processed")
            live = [state for state in states if state != "cancelled"]
            if order.state == "cancel" and states:
                order.ecrm_tracking_state = "cancelled"
            elif live:
                order.ecrm_tracking_state = min(live, key=TRACKING_RANK.get)
            else:
                order.ecrm_tracking_state = "cancelled" if states else False

    def _ecrm_pending_preparation(self):
        """Pick or pack steps still to do: in multi-step routes the delivery
        itself only exists once the goods are prepared."""
        self.ensure_one()
        return any(
            picking.picking_type_code == "internal"
            and picking.state not in ("done", "cancel")
            for picking in self.picking_ids
        )

    def _ecrm_sync_tracking(self):
        for order in self.sudo():
            order.picking_ids._ecrm_sync_tracking()
            if order._ecrm_pending_preparation() and not order.ecrm_tracking_event_ids:
                event = self.env["ecrm.tracking.event"].create(
                    {
                        "order_id": order.id,
                        "state": "processed",
                        "applied": True,
                        "partner_id": order.partner_id.commercial_partner_id.id,
                        "company_id": order.company_id.id,
                    }
                )
                event._ecrm_notify()

    def _ecrm_customer_deliveries(self):
        self.ensure_one()
        return self.picking_ids.filtered(lambda p: p.ecrm_tracking_state)

    def _ecrm_shows_tracking(self):
        """Whether the customer's level grants order tracking (the portal page
        is Odoo's own page otherwise)."""
        self.ensure_one()
        customer = self.partner_id.with_company(self.company_id).sudo()
        return bool(self.ecrm_tracking_state) and customer._ecrm_has_service(
            "order_tracking"
        )
