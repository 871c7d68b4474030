# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import tagged
from odoo.tools import SQL

from ..hooks import post_init_hook
from .common import EcrmPortalCommon


@tagged("post_install", "-at_install")
class TestInstallHook(EcrmPortalCommon):
    """Installed on a live database, the addon gives the existing orders and
    deliveries the tracking state Odoo's records show, in two statements."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        scarce = cls._new_product("eCRM scarce teapot")
        cls.env["stock.quant"]._update_available_quantity(
            scarce, cls.warehouse.lot_stock_id, 1
        )
        cls.packed = cls._order()
        cls.shipped = cls._order()
        cls._validate(cls._deliveries(cls.shipped))
        cls.returned = cls._order()
        cls._validate(cls._deliveries(cls.returned))
        cls.waiting = cls._order(product=cls._new_product("eCRM missing cup"))
        cls.partial = cls._order(product=scarce, qty=3)
        cls._validate(cls._deliveries(cls.partial), qty=1)
        cls.cancelled = cls._order()
        cls.cancelled._action_cancel()
        cls.services = cls._order(product=cls.service)
        cls.warehouse.delivery_steps = "pick_pack_ship"
        cls.three_steps = cls._order()
        cls.orders = (
            cls.packed
            | cls.shipped
            | cls.returned
            | cls.waiting
            | cls.partial
            | cls.cancelled
            | cls.services
            | cls.three_steps
        )

    def states(self, pickings):
        return [r.ecrm_tracking_state for r in [*self.orders, *pickings]]

    def test_existing_orders_get_their_states(self):
        self._return(self._deliveries(self.returned))
        self.env.flush_all()
        pickings = self.orders.picking_ids
        expected = self.states(pickings)
        # the states as they are right after the columns are created
        for table, records in (
            ("sale_order", self.orders),
            ("stock_picking", pickings),
        ):
            self.env.cr.execute(
                SQL(
                    "UPDATE %s SET ecrm_tracking_state = NULL WHERE id = ANY(%s)",
                    SQL.identifier(table),
                    records.ids,
                )
            )
        self.env.invalidate_all()
        with self.assertQueryCount(2):
            post_init_hook(self.env)
        self.assertEqual(self.states(pickings), expected)
        self.assertEqual(
            [
                self.packed.ecrm_tracking_state,
                self.shipped.ecrm_tracking_state,
                self.returned.ecrm_tracking_state,
                self.waiting.ecrm_tracking_state,
                self.partial.ecrm_tracking_state,
                self.cancelled.ecrm_tracking_state,
                self.services.ecrm_tracking_state,
                self.three_steps.ecrm_tracking_state,
            ],
            [
                "packed",
                "shipped",
                "returned",
                "processed",
                "processed",
                "cancelled",
                False,
                "processed",
            ],
        )
