# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models


class ResUsers(models.Model):
    _inherit = "res.users"

    @api.model_create_multi
    def create(self, vals_list):
        """New eCRM managers receive the eCRM digest, as Odoo subscribes new
        employees to its default digest."""
        users = super().create(vals_list)
        self.env["digest.digest"]._ecrm_subscribe_managers(users)
        return users

    def write(self, vals):
        """Users who become eCRM managers receive the eCRM digest (a manager
        who unsubscribed stays unsubscribed)."""
        if not any(
            key == "groups_id" or key.startswith(("in_group_", "sel_groups_"))
            for key in vals
        ):
            return super().write(vals)
        managers = self.filtered(lambda u: u.has_group("ecrm_core.group_ecrm_manager"))
        res = super().write(vals)
        self.env["digest.digest"]._ecrm_subscribe_managers(self - managers)
        return res
