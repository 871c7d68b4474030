# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models


class ResUsers(models.Model):
    _inherit = "res.users"

    def _ecrm_livechat_level(self):
        """The eCRM level of this signed-in customer in the current company;
        none for a public visitor."""
        self.ensure_one()
        if self._is_public():
            return self.env["ecrm.level"]
        return (
            self.partner_id.commercial_partner_id.sudo()
            .with_company(self.env.company)
            .ecrm_level_id
        )
