# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.tools import SQL


class EcrmInteraction(models.Model):
    _inherit = "ecrm.interaction"
    _depends = {
        "res.partner": ["partner_share"],
        "discuss.channel": [
            "create_date",
            "channel_type",
            "livechat_operator_id",
            "name",
        ],
        "discuss.channel.member": ["channel_id", "partner_id"],
    }

    kind = fields.Selection(selection_add=[("chat", "Chat")])

    @api.model
    def _ecrm_interaction_sources(self):
        return {
            **super()._ecrm_interaction_sources(),
            # A live chat of a known customer (a signed-in portal user, member
            # of the conversation): with its operator and its last rating.
            40: SQL(
                """
                SELECT dc.create_date, cust.commercial_partner_id,
                       COALESCE(opu.company_id, cust.company_id), 'chat', 'in',
                       'reactive', 'chat',
                       'Chat with ' || COALESCE(op.name, '?')
                           || COALESCE(', rated ' || rr.rating::int || '/5', ''),
                       'discuss.channel', dc.id
                  FROM discuss_channel dc
                  JOIN LATERAL (
                      SELECT p.commercial_partner_id, p.company_id
                        FROM discuss_channel_member m
                        JOIN res_partner p ON p.id = m.partner_id
                       WHERE m.channel_id = dc.id AND p.partner_share
                         AND m.partner_id IS DISTINCT FROM dc.livechat_operator_id
                       ORDER BY m.id LIMIT 1
                  ) cust ON TRUE
                  LEFT JOIN res_partner op ON op.id = dc.livechat_operator_id
                  LEFT JOIN LATERAL (
                      SELECT u.company_id FROM res_users u
                       WHERE u.partner_id = dc.livechat_operator_id
                       ORDER BY u.id LIMIT 1
                  ) opu ON TRUE
                  LEFT JOIN LATERAL (
                      SELECT r.rating FROM rating_rating r
                       WHERE r.res_model = 'discuss.channel' AND r.res_id = dc.id
                         AND r.consumed
                       ORDER BY r.write_date DESC LIMIT 1
                  ) rr ON TRUE
                 WHERE dc.channel_type = 'livechat'
                """
            ),
        }
