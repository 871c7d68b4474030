# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    ecrm_lookup_max_tries = fields.Integer(
        related="company_id.ecrm_lookup_max_tries", readonly=False
    )
    ecrm_lookup_window_minutes = fields.Integer(
        related="company_id.ecrm_lookup_window_minutes", readonly=False
    )
    ecrm_nps_enabled = fields.Boolean(
        related="company_id.ecrm_nps_enabled", readonly=False
    )
    ecrm_forget_mode = fields.Selection(
        related="company_id.ecrm_forget_mode", readonly=False
    )
    ecrm_forget_user_id = fields.Many2one(
        related="company_id.ecrm_forget_user_id", readonly=False
    )
