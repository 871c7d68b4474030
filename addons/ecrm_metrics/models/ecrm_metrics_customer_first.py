# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.tools.sql import create_index


class EcrmMetricsCustomerFirst(models.Model):
    """The day of a customer's first confirmed order in a company, per channel
    and level (at confirmation): a snapshot written by
    ``ecrm.metrics.engine``. New customers and cohorts are read from
    it (with or without the dashboard's filters) instead of the minimum of
    all orders ever."""

    _name = "ecrm.metrics.customer.first"
    _description = "eCRM First Order of a Customer"
    _order = "first_date desc"
    _log_access = False

    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True)
    channel = fields.Selection(
        selection="_selection_channel", string="eCRM channel", readonly=True
    )
    level_id = fields.Many2one("ecrm.level", readonly=True)
    first_date = fields.Date(string="First order", required=True, readonly=True)

    @api.model
    def _selection_channel(self):
        return self.env["sale.order"]._fields["ecrm_channel"].selection

    def init(self):
        # new customers of a period: a range on the date; "no earlier first
        # order": one probe per candidate customer
        create_index(
            self.env.cr,
            "ecrm_metrics_customer_first_date_index",
            self._table,
            ["company_id", "first_date"],
        )
        create_index(
            self.env.cr,
            "ecrm_metrics_customer_first_partner_index",
            self._table,
            ["partner_id", "company_id", "first_date"],
        )
