# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import os
import subprocess
from pathlib import Path

from odoo import Command
from odoo.tests import HttpCase, tagged

from .common import EcrmPortalCommon

# axe-core from npm, as scripts/test installs it (ECRM_AXE_CORE: its axe.min.js)
AXE_VERSION = "4.14.1"
AXE_DIR = (
    Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    / "ecrm-suite"
    / "axe-core"
)


def axe_core_source():
    """axe-core's browser build: the file scripts/test installed, else
    installed the same way now (npm), so that the test never skips."""
    path = Path(
        os.environ.get("ECRM_AXE_CORE")
        or AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
    )
    if not path.exists():
        subprocess.run(
            [
                "npm",
                "install",
                "--silent",
                "--prefix",
                str(AXE_DIR),
                f"axe-core@{AXE_VERSION}",
            ],
            check=True,
            timeout=300,
        )
        path = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
    return path.read_bytes()


class TourData(EcrmPortalCommon, HttpCase):
    """A shipped order of a product another customer bought with a published
    one (recommended), another order, a FAQ article."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        teapot = cls._new_product("Tour teapot")
        cls.env["stock.quant"]._update_available_quantity(
            teapot, cls.warehouse.lot_stock_id, 10
        )
        cls._order()  # another order, not found by the search
        cls.order = cls._order(product=teapot, confirm=False)
        cls.order.commitment_date = "2031-05-04 10:00:00"
        cls.order.action_confirm()
        cls.delivery = cls._deliveries(cls.order)
        cls.delivery.carrier_tracking_ref = "TOUR-1"
        cls._validate(cls.delivery)
        # bought with the teapot by another customer: recommended to A
        cup = {"name": "Tour cup", "type": "consu", "list_price": 12.0}
        if "is_published" in cls.env["product.product"]._fields:
            cup["is_published"] = True
        cls.cup = cls.env["product.product"].create(cup)
        other = cls._order(partner=cls.partner_b, product=teapot, confirm=False)
        other.order_line = [Command.create({"product_id": cls.cup.id})]
        other.action_confirm()
        cls.env.registry.clear_cache()  # the recommendations of the day
        cls.env["ecrm.faq.article"].create(
            {
                "name": "Where is my parcel?",
                "keywords": "parcel late",
                "is_published": True,
            }
        )

    def run_accessibility_tour(self):
        """axe-core on /my (every block), /my/orders, an order with its step
        bar, the ticket form, /my/preferences, /help and an article, /track and
        its result: no violation of WCAG 2.1 A/AA in the suite's markup."""
        attachment = self.env["ir.attachment"].create(
            {
                "name": "axe.min.js",
                "raw": axe_core_source(),
                "mimetype": "text/javascript",
                "public": True,
            }
        )
        self.env["ir.model.data"].create(
            {
                "module": "ecrm_portal_test",
                "name": "axe_core",
                "model": "ir.attachment",
                "res_id": attachment.id,
            }
        )
        self.order.name = "AXE-TRACK-1"  # looked up on /track
        self.start_tour("/my", "ecrm_portal_accessibility", login=self.user_a.login)


@tagged("post_install", "-at_install")
class TestTours(TourData):
    """The customer's pages in a real browser: the home's blocks (the recent
    orders' compact step bars), the order search, the order page's step bar,
    a ticket with a suggested article, the delivery's rating; accessibility."""

    def test_home_search_ticket(self):
        self.start_tour(
            "/my", "ecrm_portal_home_search_ticket", login=self.user_a.login
        )
        layout = self.user_a.ecrm_portal_home_layout
        self.assertEqual(layout["order"][0], "orders")
        self.assertIn("recommendations", layout["hidden"])
        ticket = self.env["helpdesk.ticket"].search(
            [("name", "=", "my parcel is late")]
        )
        self.assertEqual(ticket.sale_order_ids, self.order)

    def test_accessibility(self):
        self.run_accessibility_tour()

    def test_delivery_rating(self):
        self.start_tour(
            self.order.get_portal_url(),
            "ecrm_portal_delivery_rating",
            login=self.user_a.login,
        )
        self.assertEqual(self.delivery.ecrm_tracking_state, "delivered")
        rating = self.delivery.rating_ids
        self.assertEqual((rating.rating, rating.feedback), (5, "Right on time"))


@tagged("post_install", "-at_install")
class TestAccessibilityPhone(TourData):
    """The same pages on a phone's width (the order page's step bar in one
    column, the sidebar under it, the mobile menus)."""

    browser_size = "390x844"
    touch_enabled = True

    def test_accessibility(self):
        self.run_accessibility_tour()
