# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models
from odoo.tools.sql import create_index


class EcrmMetricsCustomerOrder(models.Model):
    """Each confirmed order's day with the days of its customer's previous
    order, of the one before, and of the first, in its company: a snapshot
    written by ``ecrm.dashboard._ecrm_refresh``, rewritten for the customers
    whose orders changed. It is the base of the aggregated snapshots
    ``ecrm.metrics.return.day`` and ``ecrm.metrics.cohort.day``: what a
    customer's rows added to them is subtracted before they are rewritten."""

    _name = "ecrm.metrics.customer.order"
    _description = "eCRM Order of a Customer and the Previous Ones"
    _order = "date desc"
    _log_access = False

    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True)
    date = fields.Date(required=True, readonly=True)
    previous_date = fields.Date(string="Previous order", readonly=True)
    second_date = fields.Date(string="Order before the previous", readonly=True)
    first_date = fields.Date(string="First order", required=True, readonly=True)

    def init(self):
        create_index(
            self.env.cr,
            "ecrm_metrics_customer_order_partner_index",
            self._table,
            ["partner_id", "company_id"],
        )
