# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tools import SQL


def post_init_hook(env):
    """The customers' choices are kept when the list becomes the shop's: each
    product category chosen before becomes the eCommerce categories of the
    saleable products it holds (one statement)."""
    env.cr.execute(
        SQL(
            """
            INSERT INTO res_partner_ecrm_public_category_rel (partner_id, category_id)
            SELECT DISTINCT r.res_partner_id, pc.product_public_category_id
              FROM res_partner_ecrm_category_rel r
              JOIN product_template t ON t.categ_id = r.product_category_id
                                     AND t.sale_ok AND t.active
              JOIN product_public_category_product_template_rel pc
                ON pc.product_template_id = t.id
                ON CONFLICT DO NOTHING
            """
        )
    )
