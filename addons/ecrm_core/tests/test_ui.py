# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestEcrmUi(HttpCase):
    def test_level_configuration_tour(self):
        self.start_tour("/odoo", "ecrm_core_level_tour", login="admin")

    def test_portal_home_opens(self):
        self.authenticate("portal", "portal")
        response = self.url_open("/my")
        self.assertEqual(response.status_code, 200)
