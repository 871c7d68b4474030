# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import tagged

from odoo.addons.ecrm_metrics.models.ecrm_metrics_kpi import NO_FILTERS

from .common import MetricsCase, d

P = (d("2025-03-01"), d("2025-03-31"))


@tagged("post_install", "-at_install")
class TestKpiLayer(MetricsCase):
    """The KPI layer behind ecrm.dashboard: its families, in their order,
    name every figure of get_kpis once; a caller may compute some families
    only; the refresh is the engine's, behind the dashboard's delegate."""

    def test_families_name_every_figure_once(self):
        kpi = self.env["ecrm.metrics.kpi"]
        self.assertEqual(
            [family._name for family in kpi._ecrm_families()],
            [
                "ecrm.metrics.kpi.revenue",
                "ecrm.metrics.kpi.acquisition",
                "ecrm.metrics.kpi.retention",
                "ecrm.metrics.kpi.rfm",
                "ecrm.metrics.kpi.service",
                "ecrm.metrics.kpi.coupon",
            ],
        )
        keys = [key for f in kpi._ecrm_families() for key in f._ecrm_labels()]
        self.assertEqual(len(keys), len(set(keys)))
        self.assertEqual(set(keys), set(self.dashboard.get_kpis(*P, [self.company.id])))

    def test_only_the_families_asked_for(self):
        self._order(self._customer("Layer customer"), d("2025-03-10"), 120)
        kpi = self.env["ecrm.metrics.kpi"]
        figures = kpi._ecrm_kpis(P, self.company, NO_FILTERS, False, keys={"csat"})
        self.assertEqual(
            set(figures), set(self.env["ecrm.metrics.kpi.service"]._ecrm_labels())
        )
        revenue = kpi._ecrm_kpis(P, self.company, NO_FILTERS, False, keys={"orders"})
        self.assertEqual(revenue["revenue"], 120.0)
        self.assertNotIn("csat", revenue)

    def test_dashboard_refresh_is_the_engines(self):
        self._order(self._customer("Engine customer"), d("2025-03-10"), 80)
        self.assertFalse(self.company.sudo().ecrm_metrics_refreshed_at)
        self.dashboard._ecrm_refresh(full=True)
        self.assertTrue(self.company.sudo().ecrm_metrics_refreshed_at)
        refresh = self.env.ref("ecrm_metrics.ir_cron_ecrm_metrics_refresh")
        self.assertEqual(refresh.model_id.model, "ecrm.metrics.engine")
        self.assertEqual(
            self.dashboard.get_kpis(*P, [self.company.id])["revenue"], 80.0
        )
