# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models


class EcrmCustomerMixin(models.AbstractModel):
    """Records that belong to a customer's eCRM profile: ``partner_id`` is
    always stored as the commercial partner, which holds the profile."""

    _name = "ecrm.customer.mixin"
    _description = "eCRM Customer Record"

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("partner_id"):
                partner = self.env["res.partner"].browse(vals["partner_id"])
                vals["partner_id"] = partner.commercial_partner_id.id
        return super().create(vals_list)
