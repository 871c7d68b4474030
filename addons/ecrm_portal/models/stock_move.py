# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models


class StockMove(models.Model):
    _inherit = "stock.move"

    def _ecrm_sync_order_tracking(self):
        """Sync the customer deliveries of the orders these moves serve: a move
        of a pick or pack step also changes the delivery it feeds."""
        orders = self.sudo().picking_id.sale_id | self.sudo().group_id.sale_id
        orders._ecrm_sync_tracking()

    def _action_confirm(self, merge=True, merge_into=False):
        moves = super()._action_confirm(merge=merge, merge_into=merge_into)
        moves._ecrm_sync_order_tracking()
        return moves

    def _action_assign(self, force_qty=False):
        result = super()._action_assign(force_qty=force_qty)
        self._ecrm_sync_order_tracking()
        return result

    def _action_done(self, cancel_backorder=False):
        moves = super()._action_done(cancel_backorder=cancel_backorder)
        (self | moves).exists()._ecrm_sync_order_tracking()
        return moves

    def _action_cancel(self):
        result = super()._action_cancel()
        self._ecrm_sync_order_tracking()
        return result
