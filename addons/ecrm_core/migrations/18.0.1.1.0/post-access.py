# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    """The timeline's company rule (noupdate) no longer shows rows without a
    company in every company: every row has one now."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    rule = env.ref("ecrm_core.ecrm_interaction_rule_company", raise_if_not_found=False)
    if rule:
        rule.domain_force = "[('company_id', 'in', company_ids)]"
