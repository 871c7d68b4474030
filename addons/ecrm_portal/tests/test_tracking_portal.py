# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import HttpCase, JsonRpcException, new_test_user, tagged

from .common import EcrmPortalCommon


@tagged("post_install", "-at_install")
class TestTrackingPortal(EcrmPortalCommon, HttpCase):
    """The order page's tracking and "I received it", over HTTP as two
    portal customers."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.order = cls._order()
        cls.delivery = cls._deliveries(cls.order)
        cls._validate(cls.delivery)

    def received(self, order=None, delivery=None, csrf=True):
        order, delivery = order or self.order, delivery or self.delivery
        page = self.url_open(f"/my/orders/{order.id}").text
        data = {"access_token": ""}
        if csrf and 'name="csrf_token" value="' in page:
            data["csrf_token"] = page.split('name="csrf_token" value="', 1)[1].split(
                '"', 1
            )[0]
        return self.url_open(
            f"/my/orders/{order.id}/received/{delivery.id}",
            data=data,
            allow_redirects=False,
        )

    def test_page_shows_the_steps_and_the_customer_confirms(self):
        self.authenticate(self.user_a.login, self.user_a.login)
        page = self.url_open(f"/my/orders/{self.order.id}").text
        self.assertIn("Where is my order?", page)
        self.assertIn(self.delivery.name, page)
        self.assertIn("o_ecrm_received", page)
        reply = self.received()
        self.assertEqual(reply.status_code, 303)
        self.delivery.invalidate_recordset()
        self.assertEqual(self.delivery.ecrm_tracking_state, "delivered")
        last = self.delivery.ecrm_tracking_event_ids.sorted("id")[-1]
        self.assertEqual((last.state, last.source), ("delivered", "customer"))
        # twice: nothing more (the button is gone, the route refuses)
        self.assertEqual(self.received().status_code, 404)

    def test_other_customer_and_csrf(self):
        self.authenticate(self.user_b.login, self.user_b.login)
        self.assertEqual(self.received().status_code, 404)
        self.authenticate(self.user_a.login, self.user_a.login)
        self.assertEqual(self.received(csrf=False).status_code, 400)
        self.delivery.invalidate_recordset()
        self.assertEqual(self.delivery.ecrm_tracking_state, "shipped")

    def test_no_tracking_without_the_service(self):
        order = self._order(partner=self.partner_b)
        self.authenticate(self.user_b.login, self.user_b.login)
        page = self.url_open(f"/my/orders/{order.id}").text
        self.assertIn(order.name, page)
        self.assertNotIn("Where is my order?", page)

    def mark_delivered_over_rpc(self):
        return self.make_jsonrpc_request(
            "/web/dataset/call_kw/stock.picking/action_ecrm_mark_delivered",
            {
                "model": "stock.picking",
                "method": "action_ecrm_mark_delivered",
                "args": [self.delivery.ids],
                "kwargs": {},
            },
        )

    def test_staff_button_is_for_staff_only(self):
        self.authenticate(self.user_a.login, self.user_a.login)
        with self.assertRaisesRegex(JsonRpcException, "AccessError"):
            self.mark_delivered_over_rpc()
        self.delivery.invalidate_recordset()
        self.assertEqual(self.delivery.ecrm_tracking_state, "shipped")
        clerk = new_test_user(
            self.env, login="ecrm_clerk", groups="stock.group_stock_user"
        )
        self.authenticate(clerk.login, clerk.login)
        self.assertTrue(self.mark_delivered_over_rpc())
        self.delivery.invalidate_recordset()
        self.assertEqual(self.delivery.ecrm_tracking_state, "delivered")
        last = self.delivery.ecrm_tracking_event_ids.sorted("id")[-1]
        self.assertEqual((last.state, last.source), ("delivered", "staff"))

    def test_step_bar_first_and_one_state_per_delivery(self):
        self.authenticate(self.user_a.login, self.user_a.login)
        page = self.url_open(f"/my/orders/{self.order.id}").text
        # above the sidebar (price, buttons) and the order's details
        self.assertLess(
            page.index('id="ecrm_tracking"'), page.index("o_portal_sale_sidebar")
        )
        bar = page.split('class="o_ecrm_step_bar ', 1)[1].split("</ol>", 1)[0]
        statuses = [
            chunk.split('"', 1)[0]
            for chunk in bar.split('class="o_ecrm_step o_ecrm_step_')[1:]
        ]
        self.assertEqual(statuses, ["done", "done", "current", "todo", "todo"])
        self.assertIn('data-state="shipped" aria-current="step"', bar)
        self.assertEqual(bar.count("o_ecrm_step_date"), 3)  # the steps done
        # Odoo's "Last Delivery Orders" shows our state, not its own badge
        deliveries = page.split("Last Delivery Orders", 1)[1][:3000]
        self.assertIn("o_ecrm_badge_shipped", deliveries)
        self.assertNotIn("text-bg-success", deliveries)

    def test_steps_of_each_state(self):
        events = self.delivery.ecrm_tracking_event_ids

        def statuses(state):
            return [step["status"] for step in events._ecrm_steps(state)]

        self.assertEqual(statuses("processed"), ["current"] + ["todo"] * 4)
        self.assertEqual(statuses("delivered"), ["done"] * 4 + ["current"])
        # a return stops the bar at the last step recorded (shipped here)
        self.assertEqual(
            statuses("returned"), ["done", "done", "current", "todo", "todo"]
        )
        steps = events._ecrm_steps("shipped")
        self.assertEqual(steps[2]["label"], "Shipped")
        self.assertTrue(all(step["date"] for step in steps[:3]))
        self.assertFalse(any(step["date"] for step in steps[3:]))
        # no events (a list's line): the state alone
        none = self.env["ecrm.tracking.event"]._ecrm_steps("packed")
        self.assertEqual([s["status"] for s in none][:3], ["done", "current", "todo"])

    def test_guest_track_result_shows_the_step_bar(self):
        form = self.url_open("/track").text
        token = form.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        reply = self.url_open(
            "/track",
            data={
                "csrf_token": token,
                "reference": self.order.name,
                "email": self.partner_a.email,
            },
        )
        self.assertEqual(reply.status_code, 200)
        self.assertIn("access_token=", reply.url)
        self.assertIn('data-state="shipped"', reply.text)
        self.assertIn("o_ecrm_step_current", reply.text)

    def test_order_list_badges(self):
        self.authenticate(self.user_a.login, self.user_a.login)
        page = self.url_open("/my/orders").text
        self.assertIn("o_ecrm_badge o_ecrm_badge_shipped o_ecrm_order_tracking", page)
