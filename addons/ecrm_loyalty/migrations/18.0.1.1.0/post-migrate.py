# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tools.sql import drop_index


def migrate(cr, version):
    """The issues' rule and company lost their own indexes (the unique (rule,
    partner, period) one serves the rule): Odoo keeps an index a field no
    longer asks for."""
    for column in ("rule_id", "company_id"):
        drop_index(cr, f"ecrm_coupon_issue__{column}_index", "ecrm_coupon_issue")
