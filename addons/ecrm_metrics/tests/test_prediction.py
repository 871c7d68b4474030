# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestPrediction(TransactionCase):
    """The dashboard's predictive block is the model's own figures."""

    def test_block_is_the_models_summary_and_check(self):
        company = self.env.ref("base.main_company")
        company.ecrm_clv_fit_requested = True
        self.env["ecrm.clv.model"]._ecrm_cron_fit()
        model = company.ecrm_clv_model_id
        self.assertEqual(model.state, "fitted")
        Dashboard = self.env["ecrm.dashboard"]
        data = Dashboard.get_dashboard("2026-01-01", "2026-01-31", company.ids)
        (block,) = data["prediction"]
        self.assertEqual(block["revenue"], model.summary["revenue"])
        self.assertEqual(block["p_alive"], model.summary["p_alive"])
        self.assertEqual(block["validation"], model.validation)
        self.assertEqual(sum(block["p_alive"]), model.summary["customers"])
        # a company without a model shows none
        other = self.env["res.company"].create({"name": "No model Co"})
        self.env.user.company_ids |= other
        data = Dashboard.get_dashboard("2026-01-01", "2026-01-31", other.ids)
        self.assertEqual(data["prediction"], [])
