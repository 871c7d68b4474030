# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.tools import SQL


class EcrmInteraction(models.Model):
    _inherit = "ecrm.interaction"

    # merged with ecrm_core's by the registry
    _depends = {
        "ecrm.coupon.issue": [
            "create_date",
            "partner_id",
            "company_id",
            "card_id",
            "is_control",
            "order_id",
            "redeemed_date",
        ],
        "ecrm.coupon.rule": ["name"],
        "loyalty.card": ["code"],
        "website.track": ["visitor_id", "product_id", "visit_datetime"],
        "website.visitor": ["partner_id", "website_id"],
    }

    kind = fields.Selection(
        selection_add=[
            ("coupon_issued", "Coupon issued"),
            ("coupon_redeemed", "Coupon redeemed"),
            ("product_views", "Products viewed"),
            ("cart", "Website cart"),
        ]
    )

    @api.model
    def _ecrm_interaction_sources(self):
        if self.env.context.get("ecrm_loyalty_uninstall"):
            return super()._ecrm_interaction_sources()
        return {
            **super()._ecrm_interaction_sources(),
            30: SQL(
                """
                SELECT i.create_date, i.partner_id, i.company_id,
                       'email', 'out', 'proactive', 'coupon_issued',
                       r.name->>'en_US' || ': ' || lc.code,
                       'ecrm.coupon.issue', i.id
                  FROM ecrm_coupon_issue i
                  JOIN ecrm_coupon_rule r ON r.id = i.rule_id
                  JOIN loyalty_card lc ON lc.id = i.card_id
                """
            ),
            31: SQL(
                """
                SELECT i.redeemed_date, i.partner_id, i.company_id,
                       COALESCE(so.ecrm_channel, 'backend'), 'in', 'reactive',
                       'coupon_redeemed', lc.code || ' → ' || so.name,
                       'ecrm.coupon.issue', i.id
                  FROM ecrm_coupon_issue i
                  JOIN loyalty_card lc ON lc.id = i.card_id
                  JOIN sale_order so ON so.id = i.order_id
                 WHERE i.redeemed_date IS NOT NULL
                """
            ),
            # one row per visitor and day: the products they looked at
            32: SQL(
                """
                SELECT max(wt.visit_datetime), p.commercial_partner_id, w.company_id,
                       'website', 'in', 'reactive', 'product_views',
                       count(*) || ' × ' || string_agg(
                           DISTINCT COALESCE(pt.name->>'en_US', ''), ', '),
                       'website.track', min(wt.id)
                  FROM website_track wt
                  JOIN website_visitor wv ON wv.id = wt.visitor_id
                  JOIN website w ON w.id = wv.website_id
                  JOIN res_partner p ON p.id = wv.partner_id
                  JOIN product_product pp ON pp.id = wt.product_id
                  JOIN product_template pt ON pt.id = pp.product_tmpl_id
                 GROUP BY wt.visitor_id, wt.visit_datetime::date,
                          p.commercial_partner_id, w.company_id
                """
            ),
            33: SQL(
                """
                SELECT so.create_date, p.commercial_partner_id, so.company_id,
                       'website', 'in', 'reactive', 'cart', so.name,
                       'sale.order', so.id
                  FROM sale_order so
                  JOIN res_partner p ON p.id = so.partner_id
                 WHERE so.website_id IS NOT NULL
                   AND so.state = 'draft'
                """
            ),
        }
