# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models


class EcrmMetricsPrediction(models.AbstractModel):
    """The dashboard's predictive block: what each company's model
    (``ecrm.clv.model``, ecrm_core) expects and how good it has been.

    Not a family of the KPI layer: its figures are as of today (the revenue
    expected in the next 30, 90 and 365 days), not over the dashboard's
    period. They are read from the model, where the nightly run keeps them
    (``summary``) and the weekly fit checks them (``validation``): the screen
    computes nothing over the customers."""

    _name = "ecrm.metrics.prediction"
    _description = "eCRM Metrics: Predicted Customer Value"

    @api.model
    def _ecrm_prediction(self, companies):
        """[{company, currency, as of, the model's parameters' size, revenue in
        30/90/365 days, P(alive) by tenth, validation}] of the companies with a
        predictive model in use."""
        result = []
        for company in companies:
            model = company.sudo().ecrm_clv_model_id
            if not model:
                continue
            # read with the user's rights: eCRM users read the fits
            model = model.with_env(self.env)
            summary = model.summary or {}
            result.append(
                {
                    "company_id": company.id,
                    "company": company.name,
                    "currency_id": company.currency_id.id,
                    "as_of": str(model.as_of),
                    "customers": model.customers,
                    "day": summary.get("day"),
                    "revenue": summary.get("revenue"),
                    "p_alive": summary.get("p_alive"),
                    "validation": model.validation,
                }
            )
        return result
