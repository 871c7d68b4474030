# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models
from odoo.tools.sql import create_index


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        # an up-sell or cross-sell on a confirmed order may reach a new category
        lines._ecrm_recompute_confirmed()
        return lines

    def write(self, vals):
        result = super().write(vals)
        if "product_id" in vals:
            self._ecrm_recompute_confirmed()
        return result

    def _ecrm_recompute_confirmed(self):
        confirmed = self.filtered(
            lambda line: line.state == "sale" and not line.display_type
        )
        confirmed.order_id._ecrm_recompute_customers()

    def init(self):
        res = super().init()
        # The products each customer bought, for the extension stage of the
        # eCRM engine, read without touching the wide order line table.
        create_index(
            self.env.cr,
            "sale_order_line_ecrm_categories_index",
            self._table,
            ["company_id", "order_partner_id", "product_id"],
            where="state = 'sale' AND display_type IS NULL",
        )
        return res
