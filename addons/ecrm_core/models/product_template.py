# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from collections import defaultdict

from odoo import models
from odoo.tools import SQL

# Customers recounted at once when a product changes category; more are left
# to the scheduled recompute, triggered at once (nothing heavy in a request).
RECOUNT_INLINE = 1000


class ProductTemplate(models.Model):
    _inherit = "product.template"

    def write(self, vals):
        if "categ_id" not in vals:
            return super().write(vals)
        moved = self.filtered(lambda t: t.categ_id.id != vals["categ_id"])
        result = super().write(vals)
        if moved:
            moved._ecrm_recount_buyers()
        return result

    def _ecrm_recount_buyers(self):
        """The extension stage counts the categories each customer bought:
        recompute the customers who bought these products, in each company."""
        self.env["sale.order.line"].flush_model(
            ["product_id", "state", "company_id", "order_partner_id"]
        )
        self.env.cr.execute(
            SQL(
                """
                SELECT DISTINCT sol.company_id, p.commercial_partner_id
                  FROM sale_order_line sol
                  JOIN product_product pp ON pp.id = sol.product_id
                  JOIN res_partner p ON p.id = sol.order_partner_id
                 WHERE pp.product_tmpl_id = ANY(%s)
                   AND sol.state = 'sale'
                   AND sol.display_type IS NULL
                """,
                self.ids,
            )
        )
        buyers = defaultdict(list)
        for company_id, partner_id in self.env.cr.fetchall():
            buyers[company_id].append(partner_id)
        engine = self.env["ecrm.profile.engine"].sudo()
        for company_id, partner_ids in buyers.items():
            company = self.env["res.company"].browse(company_id)
            if len(partner_ids) <= RECOUNT_INLINE:
                self.env["ecrm.profile"].sudo().with_company(company)._ecrm_recompute(
                    self.env["res.partner"].browse(partner_ids)
                )
            else:
                engine._ecrm_mark_dirty(company, partner_ids)
                self.env.ref("ecrm_core.ir_cron_ecrm_recompute").sudo()._trigger()
