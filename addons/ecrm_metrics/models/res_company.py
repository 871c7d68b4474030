# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    ecrm_metrics_refreshed_at = fields.Datetime(
        string="eCRM metrics refreshed at", readonly=True, groups="base.group_system"
    )
    # the start of the oldest transaction open at that refresh: the next one
    # reads the rows written since (a transaction commits its rows with its
    # start as write_date)
    ecrm_metrics_changes_since = fields.Datetime(
        string="eCRM metrics changes since", readonly=True, groups="base.group_system"
    )
