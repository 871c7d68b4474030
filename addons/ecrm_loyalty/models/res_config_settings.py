# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    ecrm_referral_max_rewards = fields.Integer(
        related="company_id.ecrm_referral_max_rewards", readonly=False
    )
