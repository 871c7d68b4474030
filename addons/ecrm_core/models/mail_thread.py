# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models

BULK_PRECEDENCE = ("bulk", "list", "junk")


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    def message_parse(self, message, save_original=False):
        msg_dict = super().message_parse(message, save_original=save_original)
        msg_dict["ecrm_automated"] = self._ecrm_is_automated_email(message)
        return msg_dict

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
