# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models
from odoo.exceptions import UserError
from odoo.tools import SQL

FUNNEL = ("selection", "acquisition", "retention", "extension")
# the charts of customers per value of a profile field (the funnel: stages)
PROFILE_CHARTS = {
    "level_id": "level_id",
    "lifecycle_stage": "lifecycle_stage",
    "funnel": "lifecycle_stage",
    "rfm_segment": "rfm_segment",
}


class EcrmMetricsKpiRfm(models.AbstractModel):
    """RFM segments and levels: the customers per level, lifecycle stage and
    segment (the last profile snapshot), the funnel, and the segment moves
    between two days (the segment history the refresh records). No figure of
    ``get_kpis``: the charts of the screen."""

    _name = "ecrm.metrics.kpi.rfm"
    _inherit = "ecrm.metrics.kpi"
    _description = "eCRM Metrics: RFM and Levels"
    _ecrm_family_sequence = 40

    @api.model
    def _ecrm_segments_at(self, day, companies):
        """Each customer's RFM segment on ``day`` (the last change before)."""
        return SQL(
            """
            SELECT DISTINCT ON (h.partner_id, h.company_id)
                   h.partner_id, h.company_id, h.rfm_segment
              FROM ecrm_metrics_segment_history h
             WHERE h.date <= %(day)s AND h.company_id = ANY(%(companies)s)
             ORDER BY h.partner_id, h.company_id, h.date DESC
            """,
            day=day,
            companies=companies.ids,
        )

    @api.model
    def _ecrm_moves_sql(self, date_a, date_b, companies):
        """The customers (partner_id) with their segment at A and at B."""
        return SQL(
            """
            SELECT b.partner_id, a.rfm_segment AS segment_a,
                   b.rfm_segment AS segment_b
              FROM (%(at_b)s) b
              LEFT JOIN (%(at_a)s) a ON a.partner_id = b.partner_id
               AND a.company_id = b.company_id
            """,
            at_a=self._ecrm_segments_at(date_a, companies),
            at_b=self._ecrm_segments_at(date_b, companies),
        )

    @api.model
    def _ecrm_rfm_moves(self, date_a, date_b, companies):
        self.env.cr.execute(
            SQL(
                """
                SELECT segment_a, segment_b, count(*) FROM (%s) m
                 GROUP BY 1, 2
                 ORDER BY 3 DESC, 1, 2
                """,
                self._ecrm_moves_sql(date_a, date_b, companies),
            )
        )
        return [
            {"from": seg_a or False, "to": seg_b or False, "customers": n}
            for seg_a, seg_b, n in self.env.cr.fetchall()
        ]

    @api.model
    def _ecrm_distribution(self, companies, filters):
        """Customers per (current) level, lifecycle stage and RFM segment on
        the last snapshot: ``{field: [[label, customers, value]]}``."""
        profiles = self.env["ecrm.metrics.profile.day"]
        last = profiles.search(
            [("company_id", "in", companies.ids)], order="date desc", limit=1
        ).date
        domain = [("company_id", "in", companies.ids), ("date", "=", last)]
        if filters["levels"]:
            domain.append(("level_id", "in", filters["levels"]))
        distribution = {}
        for field in ("level_id", "lifecycle_stage", "rfm_segment"):
            groups = profiles._read_group(domain, [field], ["customers:sum"])
            if field == "level_id":
                rows = [[v.display_name, n, v.id] for v, n in groups]
            else:
                names = dict(profiles._fields[field]._description_selection(self.env))
                rows = [[names.get(v, v), n, v] for v, n in groups]
            distribution[field] = sorted(rows, key=lambda r: -r[1])
        return distribution, last

    @api.model
    def _ecrm_funnel(self, distribution):
        """The lifecycle stages of the funnel, in order, with their customers."""
        stages = {row[2]: row for row in distribution["lifecycle_stage"]}
        labels = dict(
            self.env["ecrm.metrics.profile.day"]
            ._fields["lifecycle_stage"]
            ._description_selection(self.env)
        )
        return [stages.get(code) or [labels[code], 0, code] for code in FUNNEL]

    @api.model
    def _ecrm_drilldown(self, key, period, companies, filters, value):
        if key == "rfm_move":
            if not (isinstance(value, list) and len(value) == 2):
                raise UserError(self.env._("Which bar of the chart?"))
            seg_a, seg_b = value
            return self._ecrm_partners(
                SQL(
                    """
                    SELECT partner_id FROM (%s) m
                     WHERE segment_a IS NOT DISTINCT FROM %s
                       AND segment_b IS NOT DISTINCT FROM %s
                    """,
                    self._ecrm_moves_sql(period[0], period[1], companies),
                    seg_a or None,
                    seg_b or None,
                )
            )
        if key not in PROFILE_CHARTS:
            return False
        profiles = [("company_id", "in", companies.ids)]
        if filters["levels"]:
            profiles.append(("level_id", "in", filters["levels"]))
        profiles.append((PROFILE_CHARTS[key], "=", value or False))
        return self._ecrm_window(
            "res.partner",
            self.env._("Customers"),
            [("ecrm_profile_ids", "any", profiles)],
        )
