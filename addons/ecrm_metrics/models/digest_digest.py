# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError

from .ecrm_metrics_kpi import NO_FILTERS

# digest field -> (figure of get_kpis, factor: shares are shown in %)
ECRM_DIGEST_KPIS = {
    "kpi_ecrm_revenue_value": ("revenue", 1),
    "kpi_ecrm_orders_value": ("orders", 1),
    "kpi_ecrm_new_customers_value": ("new_customers", 1),
    "kpi_ecrm_active_customers_value": ("active_customers", 1),
    "kpi_ecrm_retention_rate_value": ("retention_rate", 100),
    "kpi_ecrm_csat_value": ("csat", 100),
    "kpi_ecrm_sla_met_rate_value": ("sla_met_rate", 100),
}


class DigestDigest(models.Model):
    """The eCRM headline figures in Odoo's periodic digest: each one a
    ``kpi_ecrm_*`` toggle and its value, computed by the KPI layer
    (``ecrm.metrics.kpi``) for the digest's company (the recipient's when the
    digest has none) over the complete days of the digest's period. The
    digest adds the change against the period before, the subscriptions and
    the unsubscribe link."""

    _inherit = "digest.digest"

    kpi_ecrm_revenue = fields.Boolean(string="eCRM Revenue")
    kpi_ecrm_revenue_value = fields.Monetary(compute="_compute_kpi_ecrm_values")
    kpi_ecrm_orders = fields.Boolean(string="eCRM Orders")
    kpi_ecrm_orders_value = fields.Integer(compute="_compute_kpi_ecrm_values")
    kpi_ecrm_new_customers = fields.Boolean(string="eCRM New customers")
    kpi_ecrm_new_customers_value = fields.Integer(compute="_compute_kpi_ecrm_values")
    kpi_ecrm_active_customers = fields.Boolean(string="eCRM Active customers")
    kpi_ecrm_active_customers_value = fields.Integer(compute="_compute_kpi_ecrm_values")
    kpi_ecrm_retention_rate = fields.Boolean(string="eCRM Retention (%)")
    kpi_ecrm_retention_rate_value = fields.Float(
        digits=(16, 2), compute="_compute_kpi_ecrm_values"
    )
    kpi_ecrm_csat = fields.Boolean(string="eCRM CSAT (%)")
    kpi_ecrm_csat_value = fields.Float(
        digits=(16, 2), compute="_compute_kpi_ecrm_values"
    )
    kpi_ecrm_sla_met_rate = fields.Boolean(string="eCRM SLA met (%)")
    kpi_ecrm_sla_met_rate_value = fields.Float(
        digits=(16, 2), compute="_compute_kpi_ecrm_values"
    )

    # one computation for all the figures of a period, company and user: the
    # digest reads each figure for several periods in turn
    @api.depends_context("start_datetime", "end_datetime", "company", "uid")
    def _compute_kpi_ecrm_values(self):
        if not self.env.user.has_group("ecrm_core.group_ecrm_user"):
            # the digest leaves the figures out of this recipient's email
            raise AccessError(self.env._("The eCRM figures are for eCRM users."))
        period = self._ecrm_digest_period()
        kpi = self.env["ecrm.metrics.kpi"]
        keys = {key for key, _factor in ECRM_DIGEST_KPIS.values()}
        figures = {}
        for digest in self:
            company = digest.company_id or self.env.company
            if company not in figures:
                figures[company] = kpi._ecrm_kpis(
                    period, company, NO_FILTERS, keys=keys
                )
            for field, (key, factor) in ECRM_DIGEST_KPIS.items():
                digest[field] = (figures[company][key] or 0) * factor

    def _ecrm_digest_period(self):
        """The complete days of the digest's period (``start_datetime`` to
        ``end_datetime``, the time of the sending): yesterday, the last 7 or
        the last 30 days; the last 7 when read outside a sending."""
        end = self.env.context.get("end_datetime") or fields.Datetime.now()
        start = self.env.context.get("start_datetime") or end - timedelta(days=7)
        return start.date(), end.date() - timedelta(days=1)

    def _compute_kpis_actions(self, company, user):
        res = super()._compute_kpis_actions(company, user)
        for field in ECRM_DIGEST_KPIS:
            res[field.removesuffix("_value")] = "ecrm_metrics.ecrm_dashboard_action"
        return res

    @api.model
    def _ecrm_subscribe_managers(self, users=None):
        """Subscribe the internal eCRM managers (those of ``users`` when given)
        to the eCRM digest."""
        digest = self.env.ref(
            "ecrm_metrics.digest_digest_ecrm", raise_if_not_found=False
        )
        managers = self.env.ref("ecrm_core.group_ecrm_manager").sudo().users
        if users is not None:
            managers &= users
        if digest:
            digest._action_subscribe_users(managers.filtered(lambda u: not u.share))
