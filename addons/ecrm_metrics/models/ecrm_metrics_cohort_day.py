# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class EcrmMetricsCohortDay(models.Model):
    """Per cohort (the month of the customers' first order) and day, the
    customers of the cohort whose first order of that day's month is on that
    day: a snapshot written by ``ecrm.metrics.engine``. A cohort's
    customers active in a month up to a day are a sum over it. One set of
    rows per stream of orders, as ``ecrm.metrics.return.day``: the cohorts
    of the customers' first orders through a channel or at a level."""

    _name = "ecrm.metrics.cohort.day"
    _inherit = "ecrm.metrics.stream"
    _description = "eCRM Cohort Customers per Day"
    _order = "cohort desc, date desc"
    _log_access = False

    company_id = fields.Many2one("res.company", required=True, readonly=True)
    cohort = fields.Date(string="Cohort (first month)", required=True, readonly=True)
    date = fields.Date(required=True, readonly=True)
    customers = fields.Integer(readonly=True, aggregator="sum")

    _sql_constraints = [
        (
            "day_uniq",
            "UNIQUE NULLS NOT DISTINCT (company_id, channel, level_id, cohort, date)",
            "One row per company, cohort, day and stream of orders.",
        )
    ]
