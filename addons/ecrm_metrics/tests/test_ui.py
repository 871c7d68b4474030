# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestDashboardTour(HttpCase):
    def test_dashboard_tour(self):
        """On demo data: every card has a value, a longer period shows more
        cohorts, a card opens the records it counts; the demo shop's
        predictive model shows its expected revenue, P(alive) and its check."""
        company = self.env.ref("base.main_company")
        company.ecrm_clv_fit_requested = True
        self.env["ecrm.clv.model"]._ecrm_cron_fit()
        self.assertEqual(company.ecrm_clv_model_id.state, "fitted")
        self.start_tour("/odoo", "ecrm_metrics_dashboard_tour", login="admin")
