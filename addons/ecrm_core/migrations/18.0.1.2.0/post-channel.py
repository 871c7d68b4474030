# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.addons.ecrm_core.hooks import fill_order_channels


def migrate(cr, version):
    """Orders that existed when ecrm_core was installed had no channel: the
    dashboard's channel filter left them out."""
    fill_order_channels(cr)
