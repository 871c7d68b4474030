# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models


class ResUsers(models.Model):
    _inherit = "res.users"

    def _ecrm_proactive_activities(self):
        self.ensure_one()
        return self.env["mail.activity"].search(
            [
                ("user_id", "=", self.id),
                (
                    "activity_type_id",
                    "=",
                    self.env.ref("ecrm_core.mail_activity_type_proactive").id,
                ),
            ],
            order="date_deadline",
        )

    @api.model
    def _ecrm_cron_proactive_digest(self):
        """Send each salesperson the list of customers to reach out to."""
        activity_type = self.env.ref("ecrm_core.mail_activity_type_proactive")
        groups = self.env["mail.activity"]._read_group(
            [("activity_type_id", "=", activity_type.id)], ["user_id"]
        )
        template = self.env.ref("ecrm_core.mail_template_proactive_digest")
        for (user,) in groups:
            if user.email:
                template.send_mail(user.id, force_send=False)
