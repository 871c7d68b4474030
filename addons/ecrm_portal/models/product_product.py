# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models


class ProductProduct(models.Model):
    _inherit = "product.product"

    def _ecrm_portal_shop(self):
        """Whether the eCommerce (website_sale) is installed: it gives the
        products a page, a published flag and a cart. ecrm_portal does not
        depend on it, so its fields are looked for, not imported."""
        return "website_published" in self._fields

    def _ecrm_portal_buyable(self):
        """The products of ``self`` the customer can buy: active, saleable, of
        the current company or shared and, with the eCommerce, published on
        the current website (website_sale's own add-to-cart rule)."""
        company = self.env.company
        products = self.filtered(
            lambda p: (
                p.active
                and p.sale_ok
                and p.product_tmpl_id.active
                and p.company_id in (company, company.browse())
            )
        )
        if self._ecrm_portal_shop():
            products = products.filtered(lambda p: p._is_add_to_cart_allowed())
        return products

    def _ecrm_portal_cards(self, partner):
        """What a product card shows for ``partner`` (a commercial partner):
        the public name (no internal reference), the image (a data URI: without
        the eCommerce, a portal user may not read products through
        ``/web/image``), the price of the customer's pricelist — the shop's
        own price, taxes as the shop shows them, with the eCommerce — and the
        product page's URL (None without the eCommerce, which gives none)."""
        shop = self._ecrm_portal_shop()
        if shop:
            infos = {
                product: product._get_combination_info_variant() for product in self
            }
            prices = {p: (info["price"], info["currency"]) for p, info in infos.items()}
        else:
            pricelist = partner.with_company(
                self.env.company
            ).property_product_pricelist
            if pricelist:
                raw = pricelist._get_products_price(self, 1.0)
                currency = pricelist.currency_id
                prices = {p: (raw[p.id], currency) for p in self}
            else:
                currency = self.env.company.currency_id
                prices = {p: (p.lst_price, currency) for p in self}
        named = self.with_context(display_default_code=False)
        return [
            {
                "product": product,
                "name": named_product.display_name,
                "image": product.image_256,
                "price": prices[product][0],
                "currency": prices[product][1],
                "url": product.website_url if shop else None,
            }
            for product, named_product in zip(self, named, strict=True)
        ]
