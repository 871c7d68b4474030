# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import EcrmPortalCommon


@tagged("post_install", "-at_install")
class TestTracking(EcrmPortalCommon):
    def _send_mails(self):
        self.env.ref("ecrm_portal.ir_cron_ecrm_tracking_mail").method_direct_trigger()

    def _states(self, picking):
        return picking.ecrm_tracking_event_ids.sorted("id").mapped("state")

    def test_one_step(self):
        order = self._order()
        delivery = self._deliveries(order)
        self.assertEqual(delivery.ecrm_tracking_state, "packed")
        self.assertEqual(order.ecrm_tracking_state, "packed")
        self._validate(delivery)
        self.assertEqual(order.ecrm_tracking_state, "shipped")
        self.assertEqual(self._states(delivery), ["processed", "packed", "shipped"])
        self.assertEqual(delivery.ecrm_tracking_event_ids.partner_id, self.partner_a)
        self.assertEqual(delivery.ecrm_tracking_event_ids.company_id, self.company)

    def test_waiting_for_stock(self):
        product = self._new_product("Out of stock kettle")
        order = self._order(product=product)
        self.assertEqual(order.ecrm_tracking_state, "processed")

    def test_two_and_three_steps(self):
        for steps in ("pick_ship", "pick_pack_ship"):
            with self.subTest(steps=steps):
                self.warehouse.delivery_steps = steps
                order = self._order()
                self.assertEqual(order.ecrm_tracking_state, "processed")
                for _step in range(len(steps.split("_")) - 1):
                    internal = order.picking_ids.filtered(
                        lambda p: (
                            p.picking_type_code == "internal" and p.state != "done"
                        )
                    )
                    self.assertEqual(len(internal), 1)
                    self.assertFalse(internal.ecrm_tracking_state)
                    self.assertEqual(order.ecrm_tracking_state, "processed")
                    self._validate(internal)
                delivery = self._deliveries(order)
                self.assertEqual(delivery.ecrm_tracking_state, "packed")
                self.assertEqual(order.ecrm_tracking_state, "packed")
                self.assertEqual(
                    order.ecrm_tracking_event_ids.sorted("id").mapped("state"),
                    ["processed", "packed"],
                )
                self._validate(delivery)
                self.assertEqual(order.ecrm_tracking_state, "shipped")

    def test_partial_and_backorder(self):
        product = self._new_product("Scarce kettle")
        self.env["stock.quant"]._update_available_quantity(
            product, self.warehouse.lot_stock_id, 1
        )
        order = self._order(product=product, qty=3)
        first = self._deliveries(order)
        self._validate(first, qty=1)
        backorder = self._deliveries(order) - first
        self.assertEqual(first.ecrm_tracking_state, "shipped")
        self.assertEqual(backorder.ecrm_tracking_state, "processed")
        self.assertEqual(order.ecrm_tracking_state, "processed")
        self.env["stock.quant"]._update_available_quantity(
            product, self.warehouse.lot_stock_id, 5
        )
        backorder.action_assign()
        self.assertEqual(order.ecrm_tracking_state, "packed")
        self._validate(backorder)
        self.assertEqual(order.ecrm_tracking_state, "shipped")

    def test_cancel(self):
        order = self._order()
        delivery = self._deliveries(order)
        order._action_cancel()
        self.assertEqual(delivery.ecrm_tracking_state, "cancelled")
        self.assertEqual(order.ecrm_tracking_state, "cancelled")

    def test_cancelled_backorder_ignored(self):
        product = self._new_product("Rare kettle")
        self.env["stock.quant"]._update_available_quantity(
            product, self.warehouse.lot_stock_id, 1
        )
        order = self._order(product=product, qty=2)
        first = self._deliveries(order)
        self._validate(first, qty=1)
        (self._deliveries(order) - first).action_cancel()
        self.assertEqual(order.ecrm_tracking_state, "shipped")

    def test_return(self):
        order = self._order()
        delivery = self._deliveries(order)
        self._validate(delivery)
        delivery._ecrm_apply_tracking("delivered", "carrier")
        self._return(delivery)
        self.assertEqual(delivery.ecrm_tracking_state, "returned")
        self.assertEqual(order.ecrm_tracking_state, "returned")

    def test_service_only_order_has_no_state(self):
        order = self._order(product=self.service)
        self.assertFalse(order.ecrm_tracking_state)
        self.assertFalse(order._ecrm_shows_tracking())

    def test_never_backwards_and_once(self):
        order = self._order()
        delivery = self._deliveries(order)
        self._validate(delivery)
        delivery._ecrm_apply_tracking("delivered", "carrier")
        old = delivery._ecrm_apply_tracking("on_the_way", "carrier")
        self.assertFalse(old.applied)
        self.assertEqual(delivery.ecrm_tracking_state, "delivered")
        delivery._ecrm_sync_tracking()
        self.assertEqual(delivery.ecrm_tracking_state, "delivered")
        self.assertEqual(
            self._states(delivery),
            ["processed", "packed", "shipped", "delivered", "on_the_way"],
        )

    def test_staff_button(self):
        order = self._order()
        delivery = self._deliveries(order)
        with self.assertRaises(UserError):
            delivery.action_ecrm_mark_delivered()
        self._validate(delivery)
        delivery.action_ecrm_mark_delivered()
        self.assertEqual(delivery.ecrm_tracking_state, "delivered")
        self.assertEqual(delivery.ecrm_tracking_event_ids[:1].source, "staff")

    def test_notifications_queued_once_with_consent_and_service(self):
        order = self._order()
        delivery = self._deliveries(order)
        delivery.carrier_tracking_ref = "TRK-1"
        self._validate(delivery)
        events = delivery.ecrm_tracking_event_ids
        # left to the cron: nothing rendered in the request
        self.assertFalse(events.mail_id)
        self.assertTrue(all(events.mapped("mail_pending")))
        self._send_mails()
        self.assertFalse(any(events.mapped("mail_pending")))
        self.assertTrue(all(events.mail_id))
        shipped = events.filtered(lambda e: e.state == "shipped")
        self.assertIn("https://track.example/TRK-1", shipped.mail_id.body_html)
        self.assertEqual(set(events.mail_id.mapped("state")), {"outgoing"})
        # a second event of the same step does not mail again
        again = delivery._ecrm_apply_tracking("shipped", "carrier")
        mails = events.mail_id
        self._send_mails()
        self.assertFalse(again.mail_id)
        self.assertEqual(delivery.ecrm_tracking_event_ids.mail_id, mails)

    def test_cron_queues_each_step_once(self):
        order = self._order()
        delivery = self._deliveries(order)
        self._validate(delivery)
        self._send_mails()
        mails = self.env["mail.mail"].search_count([])
        # the cron again, and the step's event pending again (a replay): no
        # second email for the same step of the same delivery
        self._send_mails()
        shipped = delivery.ecrm_tracking_event_ids.filtered(
            lambda e: e.state == "shipped"
        )
        shipped.mail_pending = True
        self._send_mails()
        self.assertEqual(self.env["mail.mail"].search_count([]), mails)
        self.assertEqual(len(shipped.mail_id), 1)

    def test_carrier_delivered_rating_by_cron(self):
        order = self._order()
        delivery = self._deliveries(order)
        self._validate(delivery)
        delivery._ecrm_apply_tracking("delivered", "carrier")
        self.assertFalse(delivery.rating_ids, "not in the webhook's request")
        self._send_mails()
        self.assertEqual(len(delivery.rating_ids), 1)
        self.assertEqual(delivery.rating_ids.partner_id, self.partner_a)

    def test_no_mail_without_consent_or_service(self):
        self.partner_a._ecrm_set_consent("email", "opt_out", "backend")
        order = self._order()
        order_b = self._order(partner=self.partner_b)
        self._send_mails()
        self.assertTrue(order.ecrm_tracking_event_ids)
        self.assertFalse(order.ecrm_tracking_event_ids.mail_id)
        self.assertFalse(any(order.ecrm_tracking_event_ids.mapped("mail_pending")))
        self.assertTrue(order_b.ecrm_tracking_event_ids)
        self.assertFalse(order_b.ecrm_tracking_event_ids.mail_id)
        self.assertFalse(order_b._ecrm_shows_tracking())
        self.assertTrue(self._order()._ecrm_shows_tracking())

    def test_timeline_source(self):
        order = self._order()
        self.env.flush_all()
        rows = self.env["ecrm.interaction"].search(
            [("partner_id", "=", self.partner_a.id), ("kind", "=", "tracking")]
        )
        self.assertEqual(len(rows), len(order.ecrm_tracking_event_ids))
        self.assertEqual(rows.company_id, self.company)
