# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import importlib.util
from pathlib import Path

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools.sql import table_exists

from .common import LoyaltyCase


def _migration(version, script):
    path = Path(__file__).parent.parent / "migrations" / version / f"{script}.py"
    spec = importlib.util.spec_from_file_location(f"ecrm_loyalty_{script}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.migrate


@tagged("post_install", "-at_install")
class TestPersonalProducts(LoyaltyCase):
    def test_products_gone(self):
        """A coupon whose products no longer exist discounts nothing: it does
        not become a coupon on every product of the program."""
        product = self.env["product.product"].create({"name": "Gone soon"})
        card = self.env["loyalty.card"].create(
            {
                "program_id": self.program_products.id,
                "partner_id": self.customer_a.id,
                "points": 1,
                "ecrm_product_ids": [(6, 0, product.ids)],
            }
        )
        self.assertEqual(card.ecrm_products, product.ids)
        product.unlink()
        card.invalidate_recordset()
        self.assertFalse(card.ecrm_product_ids)
        self.assertFalse(card.ecrm_products_text)
        with self.assertRaisesRegex(UserError, "nothing to discount"):
            self._apply(self._cart(self.customer_a, self.products[1]), card.code)

    def test_personal_products_into_the_coupon(self):
        """18.0.1.2.0: the personal products of the relation table move to
        their coupon's row, and the coupon still discounts them only."""
        cr = self.env.cr
        p0, p1 = self.products[0], self.products[1]
        card_a, card_b, card_c = self.env["loyalty.card"].create(
            [
                {
                    "program_id": self.program_products.id,
                    "partner_id": partner.id,
                    "points": 1,
                    "ecrm_bound": True,
                }
                for partner in (self.customer_a, self.customer_b, self.customer_c)
            ]
        )
        self.env.flush_all()
        cr.execute(
            "CREATE TABLE ecrm_loyalty_card_product_rel"
            " (card_id int NOT NULL, product_id int NOT NULL)"
        )
        cr.execute(
            "INSERT INTO ecrm_loyalty_card_product_rel VALUES"
            " (%(a)s, %(p1)s), (%(a)s, %(p0)s), (%(b)s, %(p1)s)",
            {"a": card_a.id, "b": card_b.id, "p0": p0.id, "p1": p1.id},
        )
        _migration("18.0.1.2.0", "post-migrate")(cr, "18.0.1.1.0")
        self.env.invalidate_all()
        self.assertFalse(table_exists(cr, "ecrm_loyalty_card_product_rel"))
        self.assertEqual(card_a.ecrm_products, sorted([p0.id, p1.id]))
        self.assertEqual(card_a.ecrm_product_ids, p0 | p1)
        self.assertEqual(card_b.ecrm_product_ids, p1)
        self.assertFalse(card_c.ecrm_products)
        order = self._apply(self._cart(self.customer_b, p0, p1), card_b.code)
        self.assertAlmostEqual(self._discount(order), 50.0, msg="50% of p1 only")
