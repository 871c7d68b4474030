# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from unittest.mock import patch

from odoo import Command
from odoo.tests import HttpCase, tagged

from odoo.addons.sale.controllers.portal import CustomerPortal as SalePortal

from ..controllers.sale_portal import EcrmSalePortal
from .common import EcrmPortalCommon

EXTRA = 3  # queries ecrm_portal may add to a page of Odoo's


@tagged("post_install", "-at_install")
class TestPortalQueries(EcrmPortalCommon, HttpCase):
    """/my, /my/orders and /my/orders/<id> cost at most Odoo's own page + 3
    queries, and the same with 1 order or 30 (and one order with 3
    deliveries); so do the home's blocks, loaded after the home.

    Odoo's page is the same request with ecrm_portal's part off: for the order
    page, a level without the order tracking service (the page is then Odoo's
    own); for the list, ecrm_portal's search switched off; the home only gains
    an empty container for its blocks."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.order = cls._order()
        cls._validate(cls._deliveries(cls.order))
        cls.plain_level = cls.env["ecrm.level"].search(
            [("service_ids.code", "!=", "order_tracking")], limit=1
        )

    @classmethod
    def _more_orders(cls, count):
        orders = cls.env["sale.order"].create(
            [
                {
                    "partner_id": cls.partner_a.id,
                    "carrier_id": cls.carrier.id,
                    "order_line": [Command.create({"product_id": cls.product.id})],
                }
                for _n in range(count)
            ]
        )
        orders.action_confirm()
        deliveries = orders.picking_ids
        for move in deliveries.move_ids:
            move.quantity = move.product_uom_qty
            move.picked = True
        deliveries._action_done()
        return orders

    def queries(self, url):
        self.url_open(url)  # access tokens, caches: once, as on any page
        before = self.cr.sql_log_count
        reply = self.url_open(url)
        self.assertEqual(reply.status_code, 200, url)
        return self.cr.sql_log_count - before

    def stock_queries(self, url):
        def sale_values(self, **kw):
            return SalePortal._prepare_sale_portal_rendering_values(self, **kw)

        with patch.object(
            EcrmSalePortal, "_prepare_sale_portal_rendering_values", sale_values
        ):
            return self.queries(url)

    def measure(self, order):
        urls = ["/my", "/my/home/blocks", "/my/orders", f"/my/orders/{order.id}"]
        suite = {url: self.queries(url) for url in urls}
        self.partner_a._ecrm_pin_level(self.plain_level.id, "test")
        self.assertNotIn("o_ecrm_tracking", self.url_open(urls[-1]).text)
        stock = {url: self.stock_queries(url) for url in urls}
        self.partner_a._ecrm_pin_level(self.tracking_level.id, "test")
        return suite, stock

    def test_at_most_stock_plus_three_and_flat(self):
        self.authenticate(self.user_a.login, self.user_a.login)
        suite_one, stock_one = self.measure(self.order)
        self._more_orders(29)
        several = self._order(qty=3)
        delivery = self._deliveries(several)
        self._validate(delivery, qty=1)
        self._validate(delivery.backorder_ids, qty=1)
        self.assertEqual(len(self._deliveries(several)), 3)
        suite_many, stock_many = self.measure(self.order)
        suite_several, stock_several = self.measure(several)
        extras = []
        for suite, stock in (
            (suite_one, stock_one),
            (suite_many, stock_many),
            (suite_several, stock_several),
        ):
            # the blocks are ecrm_portal's own request, with no Odoo page to
            # compare with: only their flatness is checked (below)
            extra = {
                url: suite[url] - stock[url]
                for url in suite
                if url != "/my/home/blocks"
            }
            extras.append(list(extra.values()))
            self.assertLessEqual(max(extra.values()), EXTRA, (suite, stock))
        # what ecrm_portal adds does not grow with the orders or deliveries
        # (Odoo's order page itself reads one more with 30 orders: its history)
        self.assertLessEqual(extras[1], extras[0])
        self.assertLessEqual(extras[2], extras[0])
        blocks = "/my/home/blocks"
        self.assertLessEqual(suite_many[blocks], suite_one[blocks])
        self.assertLessEqual(suite_several[blocks], suite_one[blocks])
