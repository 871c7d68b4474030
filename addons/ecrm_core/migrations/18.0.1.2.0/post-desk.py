# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import SUPERUSER_ID, api
from odoo.tools import convert_file


def migrate(cr, version):
    """The mail templates (noupdate) change: the acknowledgement no longer
    quotes an unknown sender's subject and name, and it and the rating request
    are deleted once sent. Reloaded from the data file."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    convert_file(
        env, "ecrm_core", "data/mail_template_data.xml", {}, mode="init", kind="data"
    )
