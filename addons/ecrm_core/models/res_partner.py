# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    # Company-dependent: each company keeps its own eCRM profile of a customer.
    ecrm_level_id = fields.Many2one(
        "ecrm.level",
        string="eCRM Level",
        company_dependent=True,
        ondelete="restrict",
    )

    def _ecrm_has_service(self, code):
        """Whether the customer's eCRM level (of its commercial partner, in the
        current company) grants the service ``code``."""
        self.ensure_one()
        level = self.commercial_partner_id.ecrm_level_id
        return code in level.service_ids.mapped("code")
