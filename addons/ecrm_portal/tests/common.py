# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import Command
from odoo.tests import Form, new_test_user

from odoo.addons.base.tests.common import BaseCommon


class EcrmPortalCommon(BaseCommon):
    """A storable product in stock, a carrier with a tracking URL and two portal
    customers (A at a level that grants order tracking, B without)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)], limit=1
        )
        cls.product = cls.env["product.product"].create(
            {
                "name": "eCRM kettle",
                "type": "consu",
                "is_storable": True,
                "list_price": 40.0,
            }
        )
        cls.service = cls.env["product.product"].create(
            {"name": "eCRM setup service", "type": "service", "list_price": 10.0}
        )
        cls.env["stock.quant"]._update_available_quantity(
            cls.product, cls.warehouse.lot_stock_id, 1000
        )
        cls.carrier = cls.env["delivery.carrier"].create(
            {
                "name": "eCRM Express",
                "product_id": cls.env["product.product"]
                .create({"name": "eCRM shipping", "type": "service"})
                .id,
                "tracking_url": "https://track.example/<shipmenttrackingnumber>",
            }
        )
        cls.user_a = new_test_user(
            cls.env,
            login="ecrm_portal_a",
            groups="base.group_portal",
            name="Alice Portal",
            email="alice@portal.example",
        )
        cls.user_b = new_test_user(
            cls.env,
            login="ecrm_portal_b",
            groups="base.group_portal",
            name="Bob Portal",
            email="bob@portal.example",
        )
        cls.partner_a = cls.user_a.partner_id
        cls.partner_b = cls.user_b.partner_id
        cls.tracking_level = cls.env.ref("ecrm_core.ecrm_level_customer_centred")
        cls.partner_a._ecrm_pin_level(cls.tracking_level.id, "test")

    @classmethod
    def _new_product(cls, name):
        return cls.env["product.product"].create(
            {"name": name, "type": "consu", "is_storable": True, "list_price": 40.0}
        )

    @classmethod
    def _order(cls, partner=None, qty=2.0, product=None, confirm=True):
        order = cls.env["sale.order"].create(
            {
                "partner_id": (partner or cls.partner_a).id,
                "carrier_id": cls.carrier.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": (product or cls.product).id,
                            "product_uom_qty": qty,
                        }
                    )
                ],
            }
        )
        if confirm:
            order.action_confirm()
        return order

    @staticmethod
    def _deliveries(order):
        return order.picking_ids.filtered(
            lambda p: p.picking_type_code == "outgoing" and not p.return_id
        )

    @staticmethod
    def _validate(picking, qty=None):
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty if qty is None else qty
            move.picked = True
        picking._action_done()

    def _return(self, picking, qty=None):
        wizard = Form(
            self.env["stock.return.picking"].with_context(
                active_id=picking.id, active_model="stock.picking"
            )
        ).save()
        for line in wizard.product_return_moves:
            line.quantity = qty or line.move_quantity
        action = wizard.action_create_returns()
        returned = self.env["stock.picking"].browse(action["res_id"])
        self._validate(returned)
        return returned
