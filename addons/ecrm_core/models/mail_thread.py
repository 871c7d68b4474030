# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models

BULK_PRECEDENCE = ("bulk", "list", "junk")


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    def _message_route_process(self, message, message_dict, routes):
        # Records created or updated from a machine-sent email know it through
        # the context (the autoresponder must not answer them).
        threads = self
        if self._ecrm_is_automated_email(message):
            threads = self.with_context(ecrm_automated_email=True)
        return super(MailThread, threads)._message_route_process(
            message, message_dict, routes
        )

    def _ecrm_is_automated_email(self, message):
        """Whether an incoming email was sent by a machine (auto-reply, mailing
        list, bulk mail): answering it automatically could start a mail loop."""
        auto_submitted = (message.get("Auto-Submitted") or "no").strip().lower()
        precedence = (message.get("Precedence") or "").strip().lower()
        return bool(
            auto_submitted != "no"
            or precedence in BULK_PRECEDENCE
            or message.get("List-Id")
            or message.get("List-Unsubscribe")
        )
