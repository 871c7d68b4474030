# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    ecrm_metrics_refreshed_at = fields.Datetime(
        string="eCRM metrics refreshed at", readonly=True, groups="base.group_system"
    )
