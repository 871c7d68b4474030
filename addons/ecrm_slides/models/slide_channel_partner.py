# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class SlideChannelPartner(models.Model):
    _inherit = "slide.channel.partner"

    # Odoo keeps no date of completion: the timeline needs one
    ecrm_completed_date = fields.Datetime(
        string="Completed on", readonly=True, copy=False
    )

    def _post_completion_update_hook(self, completed=True):
        self.sudo().ecrm_completed_date = completed and fields.Datetime.now()
        return super()._post_completion_update_hook(completed=completed)
