# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models
from odoo.tools import SQL


class EcrmMetricsKpiAcquisition(models.AbstractModel):
    """Acquisition: the new customers of a period (first order ever in the
    companies, through the filters)."""

    _name = "ecrm.metrics.kpi.acquisition"
    _inherit = "ecrm.metrics.kpi"
    _description = "eCRM Metrics: Acquisition"
    _ecrm_family_sequence = 20

    @api.model
    def _ecrm_labels(self):
        return {"new_customers": self.env._("New customers")}

    @api.model
    def _ecrm_compute(self, period, companies, filters, snapshot):
        self.env.cr.execute(
            self._ecrm_new_customers_sql(period, companies, filters, snapshot)
        )
        return {"new_customers": self.env.cr.fetchone()[0]}

    @api.model
    def _ecrm_new_customers_sql(self, period, companies, filters, snapshot):
        """One value: the new customers. For one company and one stream of
        orders (``_ecrm_returns_exact``), a cohort's first orders of its own
        month are its customers' first ones (the cohort snapshot); else the
        first orders of the companies and filters in the period with none
        before."""
        start, end = period
        if self._ecrm_returns_exact(companies, filters, snapshot):
            return SQL(
                """
                SELECT COALESCE(sum(customers), 0) FROM ecrm_metrics_cohort_day k
                 WHERE company_id = %s AND date BETWEEN %s AND %s
                   AND cohort = date_trunc('month', date) AND %s
                """,
                companies.id,
                start,
                end,
                self._ecrm_stream_sql(filters, "k"),
            )
        return SQL(
            "SELECT count(*) FROM (%s) f",
            self._ecrm_firsts_sql(period, companies, filters, snapshot),
        )

    @api.model
    def _ecrm_drilldown(self, key, period, companies, filters, value):
        if key != "new_customers":
            return False
        return self._ecrm_partners(
            SQL(
                "SELECT customer FROM (%s) c",
                self._ecrm_firsts_sql(period, companies, filters),
            )
        )
