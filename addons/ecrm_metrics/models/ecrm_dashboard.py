# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from .ecrm_metrics_kpi import NO_FILTERS

# the filters' "none" is part of the contract of _ecrm_kpis and _ecrm_cohorts
__all__ = ["NO_FILTERS", "EcrmDashboard"]


class EcrmDashboard(models.AbstractModel):
    """The door into the eCRM figures: the RPC API (``get_kpis``,
    ``get_cohorts``, ``get_rfm_moves``, ``get_dashboard``, read-only, served
    by a read replica when configured) and the drill-downs of the screen. It
    checks the arguments and the user's rights, then asks the KPI layer
    (``ecrm.metrics.kpi`` and its families), which reads the snapshots the
    engine (``ecrm.metrics.engine``) refreshes. Every figure is defined in
    ``readme/DESCRIPTION.md``; the definitions are the contract ``get_kpis``
    keeps (tests/test_kpis.py)."""

    _name = "ecrm.dashboard"
    _description = "eCRM Dashboard"

    # ------------------------------------------------------------------
    # Public API (RPC: read-only, served by a read replica when configured)
    # ------------------------------------------------------------------

    @api.model
    @api.readonly
    def get_kpis(
        self, date_from, date_to, company_ids=None, level_ids=None, channels=None
    ):
        """The figures of the period; ``level_ids`` (levels at the order's
        confirmation or the ticket's opening) and ``channels`` (the orders'
        eCRM channels) restrict the orders, customers and tickets counted."""
        return self._ecrm_kpis(
            self._ecrm_period(date_from, date_to),
            self._ecrm_companies(company_ids),
            self._ecrm_filters(level_ids, channels),
        )

    @api.model
    @api.readonly
    def get_cohorts(
        self, date_from, date_to, company_ids=None, level_ids=None, channels=None
    ):
        """One row per month in which customers made their first order (from
        the month of ``date_from`` to that of ``date_to``): the share of the
        cohort with an order in each calendar month after the first."""
        return self._ecrm_cohorts(
            self._ecrm_period(date_from, date_to),
            self._ecrm_companies(company_ids),
            self._ecrm_filters(level_ids, channels),
        )

    @api.model
    @api.readonly
    def get_rfm_moves(self, date_a, date_b, company_ids=None):
        """Customers per (RFM segment at A, segment at B), from the segment
        history the refresh records."""
        return self.env["ecrm.metrics.kpi.rfm"]._ecrm_rfm_moves(
            fields.Date.to_date(date_a),
            fields.Date.to_date(date_b),
            self._ecrm_companies(company_ids),
        )

    @api.model
    @api.readonly
    def get_dashboard(
        self, date_from, date_to, company_ids=None, level_ids=None, channels=None
    ):
        """Everything the dashboard screen shows, in one call."""
        period = start, end = self._ecrm_period(date_from, date_to)
        companies = self._ecrm_companies(company_ids)
        filters = self._ecrm_filters(level_ids, channels)
        days = (end - start).days + 1
        before = (start - timedelta(days=days), start - timedelta(days=1))
        revenue = self.env["ecrm.metrics.kpi.revenue"]
        rfm = self.env["ecrm.metrics.kpi.rfm"]
        distribution, snapshot_date = rfm._ecrm_distribution(companies, filters)
        segments = dict(
            self.env["ecrm.metrics.profile.day"]
            ._fields["rfm_segment"]
            ._description_selection(self.env)
        )
        moves = self.get_rfm_moves(start, end, companies.ids)
        for move in moves:
            move["from_label"] = segments.get(move["from"]) or self.env._("None")
            move["to_label"] = segments.get(move["to"]) or self.env._("None")
        return {
            "currency_id": self.env.company.currency_id.id,
            "labels": self._ecrm_labels(),
            "kpis": self._ecrm_kpis(period, companies, filters),
            "previous": self._ecrm_kpis(before, companies, filters),
            "revenue_by_day": revenue._ecrm_revenue_by_day(period, companies, filters),
            "cohorts": self._ecrm_cohorts(
                (start.replace(day=1) - timedelta(days=334), end), companies, filters
            ),
            "distribution": distribution,
            "funnel": rfm._ecrm_funnel(distribution),
            "clv_histogram": revenue._ecrm_clv_histogram(companies, filters),
            "rfm_moves": moves,
            "campaigns": self.env["ecrm.metrics.kpi.coupon"]._ecrm_campaigns(
                period, companies
            ),
            "prediction": self.env["ecrm.metrics.prediction"]._ecrm_prediction(
                companies
            ),
            "snapshot_date": snapshot_date and str(snapshot_date),
            "options": {
                "levels": [
                    [level.id, level.display_name]
                    for level in self.env["ecrm.level"].search(
                        [("company_id", "in", [False, *companies.ids])]
                    )
                ],
                "channels": self.env["sale.order"]._fields["ecrm_channel"].selection,
            },
        }

    @api.model
    def action_drilldown(
        self,
        key,
        date_from,
        date_to,
        company_ids=None,
        level_ids=None,
        channels=None,
        value=None,
    ):
        """The records a figure (``key``) counts, as a window action; for a
        chart, ``value`` is its bar: a level id, a stage or segment code, a
        CLV bucket, a [from, to] segment move or a coupon rule id. The family
        of the figure (``ecrm.metrics.kpi``) builds it."""
        action = self.env["ecrm.metrics.kpi"]._ecrm_drilldown_action(
            key,
            self._ecrm_period(date_from, date_to),
            self._ecrm_companies(company_ids),
            self._ecrm_filters(level_ids, channels),
            value,
        )
        if not action:
            raise UserError(self.env._("Unknown figure: %s", key))
        return action

    # ------------------------------------------------------------------
    # Arguments
    # ------------------------------------------------------------------

    @api.model
    def _ecrm_period(self, date_from, date_to):
        try:
            start, end = fields.Date.to_date(date_from), fields.Date.to_date(date_to)
        except ValueError as e:
            raise UserError(self.env._("Invalid date: %s", e)) from e
        if not start or not end or start > end:
            raise UserError(
                self.env._("The period must have a start date before its end date.")
            )
        return start, end

    @api.model
    def _ecrm_companies(self, company_ids):
        """The companies asked for, never more than the user's allowed ones;
        eCRM users only (an abstract model has no access rights of its own)."""
        if not self.env.user.has_group("ecrm_core.group_ecrm_user"):
            raise AccessError(self.env._("The eCRM dashboard is for eCRM users."))
        allowed = self.env.companies
        if company_ids is None:
            return allowed
        companies = allowed.filtered(lambda c: c.id in company_ids)
        if len(companies) != len(set(company_ids)):
            raise UserError(self.env._("You may not read the figures of that company."))
        return companies

    @api.model
    def _ecrm_filters(self, level_ids=None, channels=None):
        """The level and channel filters, checked: ``{"levels": ids or None,
        "channels": codes or None}`` (None: no filter)."""
        levels = None
        if level_ids:
            if not all(isinstance(i, int) for i in level_ids):
                raise UserError(self.env._("Levels are given by their ids."))
            found = self.env["ecrm.level"].search([("id", "in", list(level_ids))])
            if len(found) != len(set(level_ids)):
                raise UserError(self.env._("Unknown eCRM level."))
            levels = sorted(set(level_ids))
        if channels:
            known = dict(self.env["sale.order"]._fields["ecrm_channel"].selection)
            if not all(isinstance(c, str) and c in known for c in channels):
                raise UserError(self.env._("Unknown eCRM channel."))
            channels = sorted(set(channels))
        return {"levels": levels, "channels": channels or None}

    # ------------------------------------------------------------------
    # Thin delegates (internal contract: checked arguments in, figures out)
    # ------------------------------------------------------------------

    @api.model
    def _ecrm_kpis(self, period, companies, filters, snapshot=True):
        """Every figure of ``get_kpis``; ``snapshot=False`` computes them from
        the sources only (the tests compare both)."""
        return self.env["ecrm.metrics.kpi"]._ecrm_kpis(
            period, companies, filters, snapshot
        )

    @api.model
    def _ecrm_cohorts(self, period, companies, filters, snapshot=True):
        return self.env["ecrm.metrics.kpi.retention"]._ecrm_cohorts(
            period, companies, filters, snapshot
        )

    @api.model
    def _ecrm_labels(self):
        """``{key: label}`` of every figure of ``get_kpis``."""
        return self.env["ecrm.metrics.kpi"]._ecrm_all_labels()

    @api.model
    def _ecrm_refresh(self, full=False):
        """Refresh the snapshots (``ecrm.metrics.engine._ecrm_refresh``)."""
        return self.env["ecrm.metrics.engine"]._ecrm_refresh(full=full)

    @api.model
    def _ecrm_watermark(self):
        return self.env["ecrm.metrics.engine"]._ecrm_watermark()
