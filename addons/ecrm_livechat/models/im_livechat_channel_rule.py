# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.osv import expression


class ImLivechatChannelRule(models.Model):
    """A rule of a live chat channel can be kept for customers of some eCRM
    levels: others skip it (Odoo takes the next matching rule), and the
    customers it serves reach its priority operators first."""

    _inherit = "im_livechat.channel.rule"

    ecrm_level_ids = fields.Many2many(
        "ecrm.level",
        string="eCRM levels",
        help="Only customers at these levels (signed in) match this rule; "
        "empty: everyone.",
    )
    ecrm_operator_ids = fields.Many2many(
        "res.users",
        string="Priority operators",
        domain=[("share", "=", False)],
        help="The customers at the rule's levels are given to one of these "
        "operators when one is available, otherwise to the channel's.",
    )

    def match_rule(self, channel_id, url, country_id=False):
        level = self.env.user._ecrm_livechat_level()
        return super(
            ImLivechatChannelRule,
            self.with_context(ecrm_livechat_level_id=level.id or 0),
        ).match_rule(channel_id, url, country_id)

    @api.model
    def _search(self, domain, *args, **kwargs):
        # Odoo's match_rule searches the rules of the channel: those kept for
        # other levels are not among them
        if "ecrm_livechat_level_id" in self.env.context:
            level_id = self.env.context["ecrm_livechat_level_id"]
            domain = expression.AND(
                [
                    domain,
                    [
                        "|",
                        ("ecrm_level_ids", "=", False),
                        ("ecrm_level_ids", "in", [level_id]),
                    ],
                ]
            )
        return super()._search(domain, *args, **kwargs)
