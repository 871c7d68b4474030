# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class ResUsers(models.Model):
    _inherit = "res.users"

    ecrm_metrics_digest = fields.Boolean(
        string="Weekly eCRM digest",
        default=True,
        help="eCRM managers receive the headline figures of the week by email.",
    )

    @property
    def SELF_WRITEABLE_FIELDS(self):
        return super().SELF_WRITEABLE_FIELDS + ["ecrm_metrics_digest"]

    @property
    def SELF_READABLE_FIELDS(self):
        return super().SELF_READABLE_FIELDS + ["ecrm_metrics_digest"]
