# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from werkzeug.urls import url_encode

from odoo import Command, api, fields, models
from odoo.tools import SQL

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
        # narrow reads: this runs at every step of a delivery (a carrier
        # webhook's request), where prefetching every column of the order and
        # of its pickings was a third of the request
        self.fetch(["state"])
        self.picking_ids.fetch(["ecrm_tracking_state", "state", "picking_type_id"])
        self.picking_ids.picking_type_id.fetch(["code"])
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
                        "mail_pending": True,
                        "partner_id": order.partner_id.commercial_partner_id.id,
                        "company_id": order.company_id.id,
                    }
                )
                event._ecrm_wake_mail_cron()

    @api.model
    def _ecrm_init_tracking_states(self):
        """Give the orders and customer deliveries that have no tracking state
        yet (all of them when the addon is installed on a live database) the
        state Odoo's records show, as ``_ecrm_sync_tracking`` and
        ``_compute_ecrm_tracking_state`` would, in two statements. No past
        tracking events are created: the steps before the installation have
        no date to show."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                UPDATE stock_picking p
                   SET ecrm_tracking_state = CASE
                        WHEN p.state = 'cancel' THEN 'cancelled'
                        WHEN EXISTS (SELECT 1 FROM stock_picking r
                                      WHERE r.return_id = p.id AND r.state = 'done')
                            THEN 'returned'
                        WHEN p.state = 'done' THEN 'shipped'
                        WHEN p.state = 'assigned' THEN 'packed'
                        ELSE 'processed' END
                  FROM stock_picking_type t
                 WHERE t.id = p.picking_type_id AND t.code = 'outgoing'
                   AND p.sale_id IS NOT NULL AND p.return_id IS NULL
                   AND p.ecrm_tracking_state IS NULL
                """
            )
        )
        # an order: the least advanced state of its deliveries that are not
        # cancelled (``processed`` while a pick or pack step is to do)
        self.env.cr.execute(
            SQL(
                """
                WITH states AS (
                    SELECT p.sale_id AS order_id, p.ecrm_tracking_state AS state
                      FROM stock_picking p
                     WHERE p.sale_id IS NOT NULL
                       AND p.ecrm_tracking_state IS NOT NULL
                     UNION ALL
                    SELECT p.sale_id, 'processed'
                      FROM stock_picking p
                      JOIN stock_picking_type t ON t.id = p.picking_type_id
                     WHERE p.sale_id IS NOT NULL AND t.code = 'internal'
                       AND p.state NOT IN ('done', 'cancel')
                ), ranked AS (
                    SELECT order_id,
                           min(array_position(%(states)s::varchar[], state))
                               FILTER (WHERE state <> 'cancelled') AS live_rank
                      FROM states
                     GROUP BY order_id
                )
                UPDATE sale_order o
                   SET ecrm_tracking_state = CASE
                        WHEN o.state = 'cancel' OR r.live_rank IS NULL
                            THEN 'cancelled'
                        ELSE (%(states)s::varchar[])[r.live_rank] END
                  FROM ranked r
                 WHERE r.order_id = o.id AND o.ecrm_tracking_state IS NULL
                """,
                states=[state for state, _label in TRACKING_STATES],
            )
        )
        self.env["stock.picking"].invalidate_model(["ecrm_tracking_state"])
        self.invalidate_model(["ecrm_tracking_state"])

    def _ecrm_track_url(self):
        """The public /track page prefilled with this order's reference."""
        self.ensure_one()
        return f"{self.get_base_url()}/track?{url_encode({'reference': self.name})}"

    def _send_order_notification_mail(self, mail_template):
        if (
            mail_template
            and not self.env.context.get("ecrm_confirmation_mail")
            and mail_template == self._get_confirmation_template()
        ):
            # sent now or by sale_async_emails' cron, which calls this again
            return self.with_context(
                ecrm_confirmation_mail=True
            )._send_order_notification_mail(mail_template)
        return super()._send_order_notification_mail(mail_template)

    def _notify_by_email_prepare_rendering_context(
        self,
        message,
        msg_vals=False,
        model_description=False,
        force_email_company=False,
        force_email_lang=False,
    ):
        """The order confirmation email links to /track (see the layout's
        ``mail_notification_layout_track_link``) when the order has goods to
        deliver and the customer's level grants order tracking."""
        render_context = super()._notify_by_email_prepare_rendering_context(
            message,
            msg_vals=msg_vals,
            model_description=model_description,
            force_email_company=force_email_company,
            force_email_lang=force_email_lang,
        )
        if (
            self.env.context.get("ecrm_confirmation_mail")
            and len(self) == 1
            and self._ecrm_shows_tracking()
        ):
            render_context["ecrm_track_url"] = self._ecrm_track_url()
        return render_context

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

    @api.model
    def _ecrm_demo_tracking(self):
        """Demo: the portal demo customer's orders in every tracking state (one
        with two deliveries), through Odoo's own flows, with a carrier that has
        a tracking link."""
        partner = self.env.ref("base.partner_demo_portal")
        partner._ecrm_pin_level(
            self.env.ref("ecrm_core.ecrm_level_customer_centred").id,
            self.env._("Demo: sees the order tracking"),
        )
        carrier = self.env.ref("delivery.free_delivery_carrier")
        carrier.tracking_url = "https://track.example.com/?ref=<shipmenttrackingnumber>"
        product, scarce, missing = self.env["product.product"].create(
            [
                {
                    "name": name,
                    "type": "consu",
                    "is_storable": True,
                    "list_price": price,
                }
                for name, price in (
                    ("Demo espresso machine", 240.0),
                    ("Demo grinder", 90.0),
                    ("Demo milk frother", 35.0),
                )
            ]
        )
        stock = self.env.ref("stock.warehouse0").lot_stock_id
        Quant = self.env["stock.quant"]
        Quant._update_available_quantity(product, stock, 100)
        Quant._update_available_quantity(scarce, stock, 1)

        def order(item=product, qty=1):
            sale = self.create(
                {
                    "partner_id": partner.id,
                    "carrier_id": carrier.id,
                    "order_line": [
                        Command.create({"product_id": item.id, "product_uom_qty": qty})
                    ],
                }
            )
            sale.action_confirm()
            return sale, sale.picking_ids.filtered(
                lambda p: p.picking_type_code == "outgoing"
            )

        def ship(picking, ref, qty=None):
            picking.carrier_tracking_ref = ref
            for move in picking.move_ids:
                move.quantity = move.product_uom_qty if qty is None else qty
                move.picked = True
            picking._action_done()

        order(missing)  # processed: waiting for stock
        order()  # packed
        ship(order()[1], "DEMO-SHIPPED")
        ship(on_the_way := order()[1], "DEMO-ON-THE-WAY")
        on_the_way._ecrm_apply_tracking("on_the_way", "carrier", note="Regional hub")
        ship(delivered := order()[1], "DEMO-DELIVERED")
        delivered._ecrm_apply_tracking("delivered", "customer")
        order()[0]._action_cancel()  # cancelled
        ship(returned := order()[1], "DEMO-RETURNED")
        wizard = (
            self.env["stock.return.picking"]
            .with_context(active_id=returned.id, active_model="stock.picking")
            .create({})
        )
        for line in wizard.product_return_moves:
            line.quantity = line.move_id.quantity
        ship(wizard._create_return(), False)
        # two deliveries: one shipped, its backorder waiting for stock
        _sale, first = order(scarce, qty=3)
        ship(first, "DEMO-PARTIAL", qty=1)
