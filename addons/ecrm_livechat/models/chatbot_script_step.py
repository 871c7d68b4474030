# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import textwrap

from markupsafe import Markup

from odoo import fields, models
from odoo.tools import html2plaintext, plaintext2html

FAQ_ANSWERS = 3
FAQ_EXCERPT = 280  # characters of an article's answer quoted in the chat


class ChatbotScriptStep(models.Model):
    _inherit = "chatbot.script.step"

    ecrm_faq_answer = fields.Boolean(
        string="Answer with FAQ articles",
        help="A text step that answers the visitor's last message with the "
        "published eCRM FAQ articles matching it (up to 3, with the beginning "
        "of their answer), after its own message; the script then goes on, "
        "e.g. to an operator.",
    )

    def _process_step(self, discuss_channel):
        if not (self.ecrm_faq_answer and self.step_type == "text"):
            return super()._process_step(discuss_channel)
        # what Odoo does for a text step, with the articles after the message
        discuss_channel.sudo().chatbot_current_step_id = self.id
        articles = self._ecrm_faq_articles(discuss_channel)
        body = plaintext2html(self.message or "")
        if articles:
            body += Markup("<ul>%s</ul>") % Markup().join(
                Markup("<li><b>%s</b><br/>%s</li>")
                % (
                    article.name,
                    textwrap.shorten(
                        html2plaintext(article.body or ""), FAQ_EXCERPT, placeholder="…"
                    ),
                )
                for article in articles
            )
        else:
            body += plaintext2html(
                self.env._("I found no article about this; an operator will help you.")
            )
        return discuss_channel._chatbot_post_message(self.chatbot_script_id, body)

    def _ecrm_faq_articles(self, discuss_channel):
        """The published articles matching the visitor's last message."""
        bot = self.chatbot_script_id.operator_partner_id
        # sudo: the visitor reads their own conversation
        question = (
            discuss_channel.sudo()
            .message_ids.filtered(
                lambda message: (
                    message.author_id != bot and message.message_type == "comment"
                )
            )
            .sorted("id")[-1:]
        )
        if not question:
            return self.env["ecrm.faq.article"]
        return (
            self.env["ecrm.faq.article"]
            .sudo()
            .with_context(lang=self.env.lang)
            ._ecrm_match(question.body, limit=FAQ_ANSWERS)
        )
