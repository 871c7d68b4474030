# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tools import SQL
from odoo.tools.sql import table_exists


def migrate(cr, version):
    """The coupons' personal products move from the relation table
    ``ecrm_loyalty_card_product_rel`` to their own row
    (``loyalty_card.ecrm_products``, the products' ids), and the table goes."""
    if not table_exists(cr, "ecrm_loyalty_card_product_rel"):
        return
    cr.execute(
        SQL(
            """
            UPDATE loyalty_card c
               SET ecrm_products = rel.products
              FROM (SELECT card_id, jsonb_agg(product_id ORDER BY product_id)
                                    AS products
                      FROM ecrm_loyalty_card_product_rel
                     GROUP BY card_id) rel
             WHERE c.id = rel.card_id
            """
        )
    )
    cr.execute(SQL("DROP TABLE ecrm_loyalty_card_product_rel"))
