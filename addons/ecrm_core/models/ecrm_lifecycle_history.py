# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import UserError

from .ecrm_selection import LIFECYCLE_STAGES


class EcrmLifecycleHistory(models.Model):
    """A move of a customer between lifecycle stages: the durable record,
    append-only."""

    _name = "ecrm.lifecycle.history"
    _description = "eCRM Lifecycle Transition"
    _order = "date desc, id desc"

    partner_id = fields.Many2one(
        "res.partner", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one("res.company", required=True, index=True)
    date = fields.Date(required=True, default=fields.Date.context_today)
    from_stage = fields.Selection(LIFECYCLE_STAGES, string="From")
    to_stage = fields.Selection(LIFECYCLE_STAGES, string="To", required=True)

    def write(self, vals):
        # no access right allows it; the superuser is told why
        self.check_access("write")
        if self:
            raise UserError(self.env._("The lifecycle history cannot be changed."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._("The lifecycle history cannot be deleted."))
