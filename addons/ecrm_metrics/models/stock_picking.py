# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models
from odoo.tools.sql import create_index

WRITE_INDEX = "stock_picking_ecrm_metrics_write_index"


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def init(self):
        res = super().init()
        # the incremental refresh finds the deliveries written since the last one
        create_index(self.env.cr, WRITE_INDEX, self._table, ["write_date"])
        return res
