# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import secrets

from odoo import fields, models


def _new_secret():
    return secrets.token_hex(32)


class DeliveryCarrier(models.Model):
    _inherit = "delivery.carrier"

    ecrm_webhook_secret = fields.Char(
        string="Webhook secret",
        default=lambda self: _new_secret(),
        copy=False,
        groups="ecrm_core.group_ecrm_manager,stock.group_stock_manager",
        help="Key with which the carrier (or its tracking aggregator) signs the "
        "tracking events it posts to /ecrm/tracking/<carrier id>.",
    )

    def action_ecrm_rotate_webhook_secret(self):
        for carrier in self:
            carrier.ecrm_webhook_secret = _new_secret()
        return True
