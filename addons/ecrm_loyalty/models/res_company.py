# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    ecrm_referral_max_rewards = fields.Integer(
        string="Referral rewards per referrer and period",
        default=10,
        help="A referrer gets at most this many rewards in each period of the "
        "referral rule (0: no limit): second accounts and throwaway addresses "
        "cannot farm coupons.",
    )

    _sql_constraints = [
        (
            "ecrm_referral_max_rewards_positive",
            "CHECK(ecrm_referral_max_rewards >= 0)",
            "The maximum of referral rewards cannot be negative.",
        ),
    ]
