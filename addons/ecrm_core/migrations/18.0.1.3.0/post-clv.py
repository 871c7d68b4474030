# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    """The profiles' new columns (net historical revenue, the predictive
    model's purchase history) are filled by the next full run: ask for it now
    rather than at the next scheduled time."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    env.ref("ecrm_core.ir_cron_ecrm_recompute")._trigger()
