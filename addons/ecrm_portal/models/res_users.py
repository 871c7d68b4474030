# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class ResUsers(models.Model):
    _inherit = "res.users"

    ecrm_portal_home_layout = fields.Json(
        string="Portal home layout",
        help='The blocks of the portal home: {"order": [keys], "hidden": [keys]}.',
    )

    @property
    def SELF_READABLE_FIELDS(self):
        return super().SELF_READABLE_FIELDS + ["ecrm_portal_home_layout"]

    def _ecrm_portal_home_layout(self, blocks):
        """``blocks`` (of ``_ecrm_portal_home_blocks``) in this user's order,
        each with ``hidden`` set; new blocks come last, in their sequence."""
        self.ensure_one()
        layout = self.sudo().ecrm_portal_home_layout or {}
        order = {key: n for n, key in enumerate(layout.get("order") or [])}
        hidden = set(layout.get("hidden") or [])
        blocks = sorted(
            blocks,
            key=lambda b: (order.get(b["key"], len(order)), b["sequence"], b["key"]),
        )
        return [dict(block, hidden=block["key"] in hidden) for block in blocks]

    def _ecrm_portal_set_home_layout(self, order, hidden, keys):
        """Save the user's arrangement: only keys of existing blocks."""
        self.ensure_one()
        known = set(keys)
        self.sudo().ecrm_portal_home_layout = {
            "order": [key for key in order if key in known],
            "hidden": sorted(set(hidden) & known),
        }
