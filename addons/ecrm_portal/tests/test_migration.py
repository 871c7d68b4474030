# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import importlib.util
from pathlib import Path

from odoo.tests import TransactionCase, tagged


def load_migration(version, name):
    path = Path(__file__).parent.parent / "migrations" / version / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"ecrm_portal_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@tagged("post_install", "-at_install")
class TestMigration(TransactionCase):
    def test_1_5_0_installs_the_ecommerce_glue(self):
        """An updated database with the eCommerce gets the glue addon that
        offers the shop's categories (Odoo would not install it by itself)."""
        Module = self.env["ir.module.module"]
        glue = Module.search([("name", "=", "ecrm_portal_website_sale")])
        shop = Module.search([("name", "=", "website_sale")])
        self.assertEqual(shop.state, "installed")  # the suite's test database
        migrate = load_migration("18.0.1.5.0", "post-migrate").migrate
        # as before the update: the glue is not there yet
        glue.state = "uninstalled"
        migrate(self.env.cr, "18.0.1.4.0")
        self.assertEqual(glue.state, "to install")
        # without the eCommerce, nothing to install
        glue.state = "uninstalled"
        shop.state = "uninstalled"
        migrate(self.env.cr, "18.0.1.4.0")
        self.assertEqual(glue.state, "uninstalled")
