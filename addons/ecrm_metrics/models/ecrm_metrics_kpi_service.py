# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models
from odoo.tools import SQL

from .ecrm_metrics_kpi import day_bounds

RATED_MODELS = ("helpdesk.ticket", "sale.order", "stock.picking")
SATISFIED = 4  # Odoo's RATING_LIMIT_SATISFIED: 4 and 5 are "satisfied"


class EcrmMetricsKpiService(models.AbstractModel):
    """Service quality: tickets, first response, SLA, CSAT, NPS, on-time
    delivery. SLA compliance (it moves as deadlines pass without any write),
    ratings and NPS are read live, each in one indexed query."""

    _name = "ecrm.metrics.kpi.service"
    _inherit = "ecrm.metrics.kpi"
    _description = "eCRM Metrics: Service Quality"
    _ecrm_family_sequence = 50

    @api.model
    def _ecrm_labels(self):
        return {
            "tickets": self.env._("Tickets"),
            "avg_first_response_hours": self.env._("First response (hours)"),
            "sla_met_rate": self.env._("SLA met"),
            "csat": self.env._("CSAT"),
            "nps": self.env._("NPS"),
            "on_time_delivery_rate": self.env._("On-time delivery"),
        }

    @api.model
    def _ecrm_compute(self, period, companies, filters, snapshot):
        tickets = self._ecrm_fetch(
            self._ecrm_ticket_select(),
            SQL("helpdesk_ticket t"),
            self._ecrm_ticket_where(period, companies, filters),
        )
        if snapshot:
            tickets.update(
                self._ecrm_fetch(
                    self._ecrm_ticket_day_select(),
                    SQL("ecrm_metrics_ticket_day t"),
                    self._ecrm_ticket_day_where(period, companies, filters),
                )
            )
        ratings = self._ecrm_fetch(
            self._ecrm_rating_select(),
            self._ecrm_rating_from(),
            self._ecrm_rating_where(period, companies),
        )
        nps = self._ecrm_fetch(
            self._ecrm_nps_select(),
            SQL("ecrm_nps_answer"),
            self._ecrm_nps_where(period, companies),
        )
        deliveries = self._ecrm_fetch(
            *self._ecrm_delivery_query(period, companies, snapshot)
        )
        first_response = tickets["first_response_hours"]
        return {
            "tickets": tickets["tickets"],
            "avg_first_response_hours": (
                float(first_response) if first_response is not None else None
            ),
            "sla_met_rate": (
                tickets["sla_met"] / tickets["sla_due"] if tickets["sla_due"] else None
            ),
            "csat": ratings["satisfied"] / ratings["rated"]
            if ratings["rated"]
            else None,
            "nps": (
                round(
                    100.0 * (nps["promoters"] - nps["detractors"]) / nps["answers"], 2
                )
                if nps["answers"]
                else None
            ),
            "on_time_delivery_rate": (
                deliveries["on_time"] / deliveries["validated"]
                if deliveries["validated"]
                else None
            ),
        }

    # ------------------------------------------------------------------
    # Tickets: counts and first responses (the snapshot's when refreshed),
    # SLA always live
    # ------------------------------------------------------------------

    @api.model
    def _ecrm_ticket_select(self):
        return {
            "tickets": SQL("count(*)"),
            "first_response_hours": SQL(
                """avg(extract(epoch FROM t.ecrm_first_response_date
                                         - t.create_date) / 3600.0)
                      FILTER (WHERE t.ecrm_first_response_date IS NOT NULL)"""
            ),
            # the tickets whose deadline is past or that are answered
            "sla_due": SQL(
                """count(*) FILTER (
                      WHERE t.ecrm_first_response_deadline IS NOT NULL
                        AND (t.ecrm_first_response_deadline < now() at time zone 'UTC'
                             OR t.ecrm_first_response_date IS NOT NULL))"""
            ),
            "sla_met": SQL(
                """count(*) FILTER (
                      WHERE t.ecrm_first_response_date
                            <= t.ecrm_first_response_deadline)"""
            ),
        }

    @api.model
    def _ecrm_ticket_where(self, period, companies, filters):
        after, before = day_bounds(*period)
        return [
            SQL("t.company_id = ANY(%s)", companies.ids),
            self._ecrm_filter_sql(filters, SQL.identifier("t", "ecrm_level_id")),
            SQL("t.create_date >= %s AND t.create_date < %s", after, before),
        ]

    @api.model
    def _ecrm_ticket_day_select(self):
        return {
            "tickets": SQL("COALESCE(sum(tickets), 0)"),
            "first_response_hours": SQL(
                "sum(first_response_hours) / NULLIF(sum(first_responses), 0)"
            ),
        }

    @api.model
    def _ecrm_ticket_day_where(self, period, companies, filters):
        return [
            SQL("company_id = ANY(%s)", companies.ids),
            self._ecrm_filter_sql(filters, SQL.identifier("t", "level_id")),
            SQL("date BETWEEN %s AND %s", *period),
        ]

    # ------------------------------------------------------------------
    # Ratings (CSAT) and NPS
    # ------------------------------------------------------------------

    @api.model
    def _ecrm_rating_select(self):
        return {
            "rated": SQL("count(*)"),
            "satisfied": SQL("count(*) FILTER (WHERE r.rating >= %s)", SATISFIED),
        }

    @api.model
    def _ecrm_rating_from(self):
        return SQL(
            """
            rating_rating r
            LEFT JOIN helpdesk_ticket t
              ON r.res_model = 'helpdesk.ticket' AND t.id = r.res_id
            LEFT JOIN sale_order so ON r.res_model = 'sale.order' AND so.id = r.res_id
            LEFT JOIN stock_picking sp
              ON r.res_model = 'stock.picking' AND sp.id = r.res_id
            """
        )

    @api.model
    def _ecrm_rating_where(self, period, companies):
        return [
            SQL("r.consumed AND r.rating > 0"),
            SQL("r.res_model = ANY(%s)", list(RATED_MODELS)),
            SQL(
                "COALESCE(t.company_id, so.company_id, sp.company_id) = ANY(%s)",
                companies.ids,
            ),
            SQL("r.write_date::date BETWEEN %s AND %s", *period),
        ]

    @api.model
    def _ecrm_nps_select(self):
        return {
            "answers": SQL("count(*)"),
            "promoters": SQL("count(*) FILTER (WHERE score >= 9)"),
            "detractors": SQL("count(*) FILTER (WHERE score <= 6)"),
        }

    @api.model
    def _ecrm_nps_where(self, period, companies):
        return [
            SQL("company_id = ANY(%s)", companies.ids),
            SQL("date >= %s AND date < %s", *day_bounds(*period)),
        ]

    # ------------------------------------------------------------------
    # Deliveries
    # ------------------------------------------------------------------

    @api.model
    def _ecrm_delivery_sql(self, companies):
        """The validated outgoing deliveries of the companies, with their day
        and whether they were on time: the source of the live figure and of
        the refresh's delivery days (``ecrm.metrics.engine``)."""
        return SQL(
            """
            SELECT sp.company_id, sp.date_done::date AS day,
                   sp.date_done <= COALESCE(sp.date_deadline, sp.scheduled_date)
                       AS on_time
              FROM stock_picking sp
              JOIN stock_picking_type spt ON spt.id = sp.picking_type_id
             WHERE spt.code = 'outgoing' AND sp.state = 'done'
               AND sp.company_id = ANY(%(companies)s)
            """,
            companies=companies.ids,
        )

    @api.model
    def _ecrm_delivery_query(self, period, companies, snapshot):
        """(select, from, where) of the validated and on-time deliveries."""
        if snapshot:
            return (
                {"validated": SQL("sum(deliveries)"), "on_time": SQL("sum(on_time)")},
                SQL("ecrm_metrics_delivery_day"),
                [
                    SQL("company_id = ANY(%s)", companies.ids),
                    SQL("date BETWEEN %s AND %s", *period),
                ],
            )
        return (
            {
                "validated": SQL("count(*)"),
                "on_time": SQL("count(*) FILTER (WHERE on_time)"),
            },
            SQL("(%s) d", self._ecrm_delivery_sql(companies)),
            [SQL("day BETWEEN %s AND %s", *period)],
        )

    # ------------------------------------------------------------------
    # Drill-downs
    # ------------------------------------------------------------------

    @api.model
    def _ecrm_drilldown(self, key, period, companies, filters, value):
        after, before = self._ecrm_string_bounds(period)
        if key in ("tickets", "avg_first_response_hours", "sla_met_rate"):
            tickets = [
                ("company_id", "in", companies.ids),
                ("create_date", ">=", after),
                ("create_date", "<", before),
            ]
            if filters["levels"]:
                tickets.append(("ecrm_level_id", "in", filters["levels"]))
            return self._ecrm_window("helpdesk.ticket", self.env._("Tickets"), tickets)
        if key == "csat":
            return self._ecrm_window(
                "rating.rating",
                self.env._("Ratings"),
                [
                    ("consumed", "=", True),
                    ("rating", ">", 0),
                    ("res_model", "in", list(RATED_MODELS)),
                    ("write_date", ">=", after),
                    ("write_date", "<", before),
                ],
            )
        if key == "nps":
            return self._ecrm_window(
                "ecrm.nps.answer",
                self.env._("NPS answers"),
                [
                    ("company_id", "in", companies.ids),
                    ("date", ">=", after),
                    ("date", "<", before),
                ],
            )
        if key == "on_time_delivery_rate":
            return self._ecrm_window(
                "stock.picking",
                self.env._("Deliveries"),
                [
                    ("picking_type_code", "=", "outgoing"),
                    ("state", "=", "done"),
                    ("company_id", "in", companies.ids),
                    ("date_done", ">=", after),
                    ("date_done", "<", before),
                ],
            )
        return False
