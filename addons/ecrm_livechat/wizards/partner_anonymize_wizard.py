# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models
from odoo.tools import SQL


class PartnerAnonymizeWizard(models.TransientModel):
    _inherit = "partner.anonymize.wizard"

    def _ecrm_forget(self, partners):
        """The customer's live chats stay (chat figures), without what names
        them: the conversation's name (Odoo puts the visitor's in it) and the
        answers given to the chatbot (email, phone). OCA's wizard deletes
        their messages."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                WITH chats AS (
                    SELECT DISTINCT m.channel_id AS id
                      FROM discuss_channel_member m
                      JOIN discuss_channel c ON c.id = m.channel_id
                     WHERE m.partner_id = ANY(%(ids)s)
                       AND c.channel_type = 'livechat'
                ), renamed AS (
                    UPDATE discuss_channel c SET name = %(name)s,
                                                 anonymous_name = NULL
                      FROM chats WHERE c.id = chats.id
                )
                UPDATE chatbot_message cm SET user_raw_answer = NULL
                  FROM chats WHERE cm.discuss_channel_id = chats.id
                """,
                ids=partners.ids,
                name=self.env._("Live chat"),
            )
        )
        self.env.invalidate_all()
        return super()._ecrm_forget(partners)
