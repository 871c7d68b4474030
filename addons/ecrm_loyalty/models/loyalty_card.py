# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class LoyaltyCard(models.Model):
    _inherit = "loyalty.card"

    ecrm_bound = fields.Boolean(
        string="Bound to customer",
        readonly=True,
        help="Issued by an eCRM coupon rule: only this customer (or a contact "
        "of the same company) can use the code.",
    )
    ecrm_product_ids = fields.Many2many(
        "product.product",
        "ecrm_loyalty_card_product_rel",
        "card_id",
        "product_id",
        string="Personal products",
        readonly=True,
        help="The discount of this coupon applies only to these products.",
    )
    ecrm_issue_ids = fields.One2many("ecrm.coupon.issue", "card_id", readonly=True)

    def _ecrm_usable_by(self, partner):
        """Whether ``partner`` may use this coupon: anyone for Odoo's own
        cards (gift cards, eWallets, shared codes), only the customer's
        company for coupons bound by an eCRM rule."""
        self.ensure_one()
        return (
            not self.ecrm_bound
            or self.partner_id.commercial_partner_id == partner.commercial_partner_id
        )
