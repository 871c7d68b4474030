# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestDashboardTour(HttpCase):
    def test_dashboard_tour(self):
        """On demo data: every card has a value, a longer period shows more
        cohorts, a card opens the records it counts."""
        self.start_tour("/odoo", "ecrm_metrics_dashboard_tour", login="admin")
