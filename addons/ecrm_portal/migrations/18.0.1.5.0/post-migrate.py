# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    """With the eCommerce, the preferences page offers its public categories
    through the new glue addon ecrm_portal_website_sale, which Odoo installs by
    itself (auto_install) only when one of its dependencies is installed, not
    when ecrm_portal is updated: marked here, it is installed by this same
    update, and its installation hook carries the customers' choices over."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    Module = env["ir.module.module"]
    glue = Module.search(
        [("name", "=", "ecrm_portal_website_sale"), ("state", "=", "uninstalled")]
    )
    if glue and Module.search_count(
        [("name", "=", "website_sale"), ("state", "=", "installed")]
    ):
        glue.button_install()
