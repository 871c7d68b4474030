# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError

from .ecrm_selection import LEVEL_CHANGE_REASONS

CHATTER_BATCH = 1000


class EcrmLevelHistory(models.Model):
    """A change of a customer's level: the durable record, append-only."""

    _name = "ecrm.level.history"
    _description = "eCRM Level Change"
    _order = "date desc, id desc"

    partner_id = fields.Many2one(
        "res.partner", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one("res.company", required=True, index=True)
    date = fields.Datetime(required=True, default=fields.Datetime.now)
    from_level_id = fields.Many2one("ecrm.level", string="From", ondelete="set null")
    to_level_id = fields.Many2one("ecrm.level", string="To", ondelete="set null")
    reason = fields.Selection(LEVEL_CHANGE_REASONS, required=True)
    note = fields.Char()
    user_id = fields.Many2one("res.users", default=lambda self: self.env.user)

    def write(self, vals):
        # no access right allows it; the superuser is told why
        self.check_access("write")
        if self:
            raise UserError(self.env._("The level history cannot be changed."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._("The level history cannot be deleted."))

    @api.model
    def _ecrm_change_body(self, old_level, new_level, reason):
        text = self.env._(
            "eCRM level changed from %(old)s to %(new)s (%(reason)s).",
            old=old_level.name or self.env._("none"),
            new=new_level.name or self.env._("none"),
            reason=reason,
        )
        return Markup("<p>%s</p>") % text

    @api.model
    def _ecrm_log_changes(self, changes):
        """Post each level change ``(partner_id, old_level_id, new_level_id,
        reason)`` in the chatter of the customer, in batches (first
        assignments are in the level history only)."""
        levels = self.env["ecrm.level"].sudo().with_context(active_test=False)
        reasons = dict(self._fields["reason"]._description_selection(self.env))
        partners = self.env["res.partner"].sudo()
        for start in range(0, len(changes), CHATTER_BATCH):
            batch = changes[start : start + CHATTER_BATCH]
            partners.browse(row[0] for row in batch)._message_log_batch(
                bodies={
                    partner_id: self._ecrm_change_body(
                        levels.browse(old), levels.browse(new), reasons[reason]
                    )
                    for partner_id, old, new, reason in batch
                }
            )
