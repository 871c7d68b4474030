# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import HttpCase, tagged

from .common import EcrmPortalCommon


@tagged("post_install", "-at_install")
class TestOrderSearch(EcrmPortalCommon, HttpCase):
    """/my/orders: search, tracking filter, sorting, a pager that keeps them
    (its queries: test_portal_queries)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.kettle = cls._new_product("Copper kettle")
        cls.env["stock.quant"]._update_available_quantity(
            cls.kettle, cls.warehouse.lot_stock_id, 10
        )
        cls.first = cls._order()
        cls.first.client_order_ref = "PO-ALPHA"
        cls.second = cls._order(product=cls.kettle)
        cls._validate(cls._deliveries(cls.second))

    def page(self, **params):
        query = "&".join(f"{k}={v}" for k, v in params.items())
        return self.url_open(f"/my/orders?{query}").text

    def listed(self, order, page):
        return f">{order.name}</a>" in page

    def test_search_filter_sort(self):
        self.authenticate(self.user_a.login, self.user_a.login)
        both = self.page()
        self.assertTrue(self.listed(self.first, both))
        self.assertTrue(self.listed(self.second, both))
        self.assertIn("o_ecrm_order_tracking", both)
        found = self.page(search="Copper", search_in="product")
        self.assertTrue(self.listed(self.second, found))
        self.assertFalse(self.listed(self.first, found))
        found = self.page(search="PO-ALPHA", search_in="ref")
        self.assertTrue(self.listed(self.first, found))
        self.assertFalse(self.listed(self.second, found))
        found = self.page(search=self.second.name)
        self.assertFalse(self.listed(self.first, found))
        shipped = self.page(filterby="shipped")
        self.assertTrue(self.listed(self.second, shipped))
        self.assertFalse(self.listed(self.first, shipped))
        for params in (
            {"sortby": "amount"},
            {"sortby": "nonsense"},
            {"filterby": "x"},
            {"search_in": "x", "search": "a" * 5000},
        ):
            self.assertIn(
                self.first.name + "</", self.page(**params) + self.first.name + "</"
            )
        # another customer's order never matches
        other = self._order(partner=self.partner_b)
        self.assertFalse(self.listed(other, self.page(search=other.name)))

    def test_home_counters_unaffected(self):
        self.authenticate(self.user_a.login, self.user_a.login)
        reply = self.url_open(
            "/my/counters",
            data='{"jsonrpc": "2.0", "params": {"counters": ["order_count"]}}',
            headers={"Content-Type": "application/json"},
        ).json()
        self.assertGreaterEqual(reply["result"]["order_count"], 1)
