# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    ecrm_public_category_ids = fields.Many2many(
        "product.public.category",
        "res_partner_ecrm_public_category_rel",
        "partner_id",
        "category_id",
        string="Shop categories of interest",
        help="The eCommerce categories the customer chose on the portal's "
        "preferences page.",
    )

    def _ecrm_portal_interest_field(self):
        return "ecrm_public_category_ids"

    def _ecrm_portal_interest_choices(self):
        """The current website's eCommerce categories, with their path in the
        shop, in the customer's language (the names are translatable)."""
        website = self.env["website"].get_current_website()
        categories = (
            self.env["product.public.category"].sudo().search(website.website_domain())
        )
        return [(category, category.display_name) for category in categories]
