# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import ast
import re

from markupsafe import Markup, escape

from odoo import models
from odoo.tools import is_html_empty

from .ecrm_consent import UNSUBSCRIBE_PATH

# the recipient's own URL, as ecrm.consent._ecrm_unsubscribe_headers writes it
UNSUBSCRIBE_HEADER = re.compile(rf"^<(https?://[^<>\s\"]+{UNSUBSCRIBE_PATH}/[\w-]+)>$")
# the link a template places (href="/ecrm/unsubscribe", made absolute)
UNSUBSCRIBE_LINK = re.compile(rf"""href=(["'])[^"'<>]*{UNSUBSCRIBE_PATH}\1""")


class MailMail(models.Model):
    _inherit = "mail.mail"

    def _prepare_outgoing_body(self):
        """A marketing mail's body gets its recipient's unsubscribe link from
        its ``List-Unsubscribe`` header, at the template's link
        (``href="/ecrm/unsubscribe"``) or, when the template has none, in a
        line at its end: every marketing mail carries a visible link, and the
        body stored for the whole batch stays the same for every mail."""
        body = super()._prepare_outgoing_body()
        url = self._ecrm_unsubscribe_url()
        if not url or is_html_empty(body):
            return body
        href = f'href="{escape(url)}"'
        body, count = UNSUBSCRIBE_LINK.subn(lambda _match: href, str(body))
        if not count:
            lang = self.recipient_ids[:1].lang or self.env.lang
            line = Markup(
                '<p style="font-size: 12px; color: #888888; text-align: center;">'
                "<a %s>%s</a></p>"
            ) % (Markup(href), self.with_context(lang=lang).env._("Unsubscribe"))
            body = (
                body.replace("</body>", f"{line}</body>", 1)
                if "</body>" in body
                else f"{body}{line}"
            )
        return body

    def _ecrm_unsubscribe_url(self):
        """The eCRM unsubscribe URL of this mail's headers, or None."""
        try:
            headers = ast.literal_eval(self.headers or "{}")
        except (ValueError, SyntaxError, TypeError):
            return None  # Odoo logs it when it sends the mail
        match = isinstance(headers, dict) and UNSUBSCRIBE_HEADER.match(
            str(headers.get("List-Unsubscribe", ""))
        )
        return match.group(1) if match else None
