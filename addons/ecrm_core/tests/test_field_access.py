# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import HttpCase, new_test_user, tagged

from .common import JsonRpcMixin

FIGURES = ["ecrm_clv", "ecrm_monetary", "ecrm_churn_risk", "ecrm_rfm_segment"]


@tagged("post_install", "-at_install")
class TestFieldAccess(JsonRpcMixin, HttpCase):
    """Over JSON-RPC: a customer's eCRM figures are for eCRM users; the pin
    reason (a manager's note) for eCRM managers; neither an employee without
    eCRM rights nor the customer on their own partner reads, searches or
    groups by them — and both still confirm orders and open tickets."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls.env["res.partner"].create({"name": "Valued customer"})
        cls.portal = new_test_user(
            cls.env, login="fa_portal", groups="base.group_portal"
        )
        cls.employee = new_test_user(
            cls.env, login="fa_employee", groups="sales_team.group_sale_salesman"
        )
        new_test_user(
            cls.env, login="fa_ecrm", groups="base.group_user,ecrm_core.group_ecrm_user"
        )
        cls.product = cls.env["product.product"].create(
            {"name": "Access product", "list_price": 10.0}
        )

    def assert_refused(self, partner):
        for field in FIGURES + ["ecrm_level_id", "ecrm_level_pin_reason"]:
            result, error = self.rpc("res.partner", "read", [partner.id], [field])
            self.assertTrue(error, (field, result))
        result, error = self.rpc(
            "res.partner", "search_read", [("ecrm_clv", ">", 0)], ["name"]
        )
        self.assertTrue(error, result)
        result, error = self.rpc(
            "res.partner", "read_group", [], ["ecrm_rfm_segment"], ["ecrm_rfm_segment"]
        )
        self.assertTrue(error, result)

    def test_employee_without_ecrm_rights(self):
        self.authenticate("fa_employee", "fa_employee")
        self.assert_refused(self.customer)
        # ... and still sells: the order records the customer's level in sudo
        order, error = self.rpc(
            "sale.order",
            "create",
            {
                "partner_id": self.customer.id,
                "order_line": [[0, 0, {"product_id": self.product.id}]],
            },
        )
        self.assertFalse(error)
        _result, error = self.rpc("sale.order", "action_confirm", [order])
        self.assertFalse(error)
        self.assertEqual(self.env["sale.order"].browse(order).state, "sale")

    def test_portal_user_on_own_partner(self):
        self.authenticate("fa_portal", "fa_portal")
        self.assert_refused(self.portal.partner_id)

    def test_ecrm_user_reads_figures_not_the_pin_note(self):
        self.authenticate("fa_ecrm", "fa_ecrm")
        result, error = self.rpc("res.partner", "read", [self.customer.id], FIGURES)
        self.assertFalse(error)
        self.assertEqual(result[0]["id"], self.customer.id)
        _result, error = self.rpc(
            "res.partner", "read", [self.customer.id], ["ecrm_level_pin_reason"]
        )
        self.assertTrue(error)

    def test_portal_ticket_keeps_the_level_hidden(self):
        ticket = self.env["helpdesk.ticket"].create(
            {
                "name": "Help",
                "description": "Please",
                "partner_id": self.portal.partner_id.id,
            }
        )
        self.assertTrue(ticket.exists())
        self.authenticate("fa_portal", "fa_portal")
        _result, error = self.rpc(
            "helpdesk.ticket", "read", [ticket.id], ["ecrm_level_id"]
        )
        self.assertTrue(error)
