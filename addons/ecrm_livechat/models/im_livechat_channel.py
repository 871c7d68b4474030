# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models


class ImLivechatChannel(models.Model):
    _inherit = "im_livechat.channel"

    @api.depends_context("uid")
    def _compute_available_operator_ids(self):
        """For a signed-in customer whose level has a rule with priority
        operators, the available ones among them (Odoo's operator choice then
        picks the least busy); the channel's when none is available."""
        super()._compute_available_operator_ids()
        level = self.env.user._ecrm_livechat_level()
        if not level:
            return
        for channel in self:
            priority = (
                channel.sudo()
                .rule_ids.filtered(lambda rule: level in rule.ecrm_level_ids)
                .ecrm_operator_ids
            )
            preferred = channel.available_operator_ids & priority
            if preferred:
                channel.available_operator_ids = preferred
