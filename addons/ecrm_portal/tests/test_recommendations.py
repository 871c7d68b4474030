# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from unittest.mock import patch

from odoo import Command
from odoo.tests import HttpCase, tagged

from .common import EcrmPortalCommon


@tagged("post_install", "-at_install")
class TestRecommendations(EcrmPortalCommon, HttpCase):
    """ "Recommended for you" as product cards: the public name, the
    customer's price, the product's page and the cart with the eCommerce;
    only products the customer can buy."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Product = cls.env["product.product"]
        cls.shop = "is_published" in Product._fields

        def product(name, **vals):
            if cls.shop:
                vals.setdefault("is_published", True)
            return Product.create(
                {
                    "name": name,
                    "type": "consu",
                    "list_price": 50.0,
                    "taxes_id": [Command.clear()],
                    **vals,
                }
            )

        cls.mug = product("Reco mug", default_code="INT-MUG")
        cls.not_for_sale = product("Reco spare part", sale_ok=False)
        cls.archived = product("Reco old model")
        cls.hidden = product("Reco draft", is_published=False) if cls.shop else None
        cls.pricelist = cls.env["product.pricelist"].create(
            {
                "name": "Reco customers",
                "currency_id": cls.company.currency_id.id,
                "item_ids": [
                    Command.create(
                        {
                            "applied_on": "0_product_variant",
                            "product_id": cls.mug.id,
                            "compute_price": "fixed",
                            "fixed_price": 33.0,
                        }
                    )
                ],
            }
        )
        cls.partner_a.property_product_pricelist = cls.pricelist
        cls._order()  # A bought the kettle
        # another customer bought each product with the kettle: all of them
        # rank first for A, only the buyable ones are shown
        for item in cls.mug | cls.not_for_sale | cls.archived | cls.hidden:
            order = cls._order(partner=cls.partner_b, confirm=False)
            order.order_line = [Command.create({"product_id": item.id})]
            order.sudo().action_confirm()
        cls.archived.action_archive()
        cls.env.registry.clear_cache()

    def cards(self):
        return self.partner_a.with_user(self.user_a)._ecrm_portal_recommendations()

    def test_only_buyable_products(self):
        products = [card["product"] for card in self.cards()]
        self.assertIn(self.mug, products)
        for product in (self.not_for_sale, self.archived, self.hidden):
            self.assertNotIn(product, products)
        self.assertLessEqual(len(products), 4)

    def test_card_without_the_shop(self):
        Product = type(self.env["product.product"])
        with patch.object(Product, "_ecrm_portal_shop", lambda self: False):
            cards = self.cards()
        card = next(c for c in cards if c["product"] == self.mug)
        self.assertEqual(card["name"], "Reco mug")  # no internal reference
        self.assertEqual(card["price"], 33.0)  # the customer's pricelist
        self.assertEqual(card["currency"], self.pricelist.currency_id)
        self.assertIsNone(card["url"])  # no product page without the eCommerce

    def test_cards_over_http(self):
        self.authenticate(self.user_a.login, self.user_a.login)
        page = self.url_open("/my/home/blocks").text
        block = page.split('data-key="recommendations"', 1)[1]
        self.assertIn(f'data-product-id="{self.mug.id}"', block)
        self.assertIn("Reco mug", block)
        self.assertNotIn("INT-MUG", block)
        self.assertIn("33.00", block)
        if not self.shop:
            self.assertNotIn("o_ecrm_add_to_cart", block)
            return
        self.assertIn(f'href="{self.mug.website_url}"', block)
        # "Add to cart" puts it in the customer's cart
        token = block.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        reply = self.url_open(
            "/shop/cart/update",
            data={"csrf_token": token, "product_id": self.mug.id},
        )
        self.assertEqual(reply.status_code, 200)
        cart = self.env["sale.order"].search(
            [("partner_id", "=", self.partner_a.id), ("state", "=", "draft")]
        )
        self.assertIn(self.mug, cart.order_line.product_id)
