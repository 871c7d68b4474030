# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class EcrmMetricsClvBucket(models.Model):
    """The customers per bucket of the dashboard's CLV histogram at the last
    refresh, of every customer (no level) and of each level: a snapshot
    written by ``ecrm.metrics.engine`` (the buckets are equal up to the 95th
    percentile of the CLVs, ``upper``; the last one is open)."""

    _name = "ecrm.metrics.clv.bucket"
    _description = "eCRM Customers per Lifetime Value Bucket"
    _order = "company_id, level_id, bucket"
    _log_access = False

    company_id = fields.Many2one("res.company", required=True, readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    level_id = fields.Many2one(
        "ecrm.level",
        readonly=True,
        ondelete="cascade",
        help="The customers at this level only; empty: every customer.",
    )
    bucket = fields.Integer(required=True, readonly=True)
    customers = fields.Integer(readonly=True, aggregator="sum")
    upper = fields.Monetary(
        string="95th percentile",
        readonly=True,
        aggregator="max",
        help="The upper bound of the last closed bucket.",
    )
