# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models
from odoo.tools import SQL
from odoo.tools.sql import create_index, index_exists

PERIOD_INDEX = "sale_order_ecrm_metrics_period_index"
WRITE_INDEX = "sale_order_ecrm_metrics_write_index"


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def init(self):
        res = super().init()
        # The customers of a period (active, retained, repeat, cohorts) are an
        # index-only range scan on the order date: ecrm_core's statistics
        # index leads with the customer, so a period read it all.
        if not index_exists(self.env.cr, PERIOD_INDEX):
            self.env.cr.execute(
                SQL(
                    "CREATE INDEX %s ON sale_order (company_id, date_order)"
                    " INCLUDE (ecrm_commercial_partner_id, ecrm_channel, ecrm_level_id)"
                    " WHERE state = 'sale'",
                    SQL.identifier(PERIOD_INDEX),
                )
            )
        # the incremental refresh finds the orders written since the last one
        create_index(self.env.cr, WRITE_INDEX, self._table, ["write_date"])
        return res

    def unlink(self):
        # the orders' rows leave the metrics snapshots at the next refresh
        self.env["ecrm.metrics.engine"]._ecrm_orders_unlinked(self.ids)
        return super().unlink()
