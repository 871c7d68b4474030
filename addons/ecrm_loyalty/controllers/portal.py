# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.http import request

from odoo.addons.loyalty.controllers.portal import CustomerPortalLoyalty


class CustomerPortalEcrmLoyalty(CustomerPortalLoyalty):
    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if not counters:
            partner = request.env.user.partner_id.commercial_partner_id
            values["ecrm_rewards"] = partner._ecrm_loyalty_rewards()
        return values
