# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class EcrmCouponIssue(models.Model):
    """One customer drawn by a coupon rule for one period: either a coupon
    (``card_id``) or, for the control group, nothing at all. The database
    allows one row per rule, customer and period, which is what makes a rule
    safe to run twice or in two workers at once."""

    _name = "ecrm.coupon.issue"
    _description = "eCRM Coupon Issue"
    _order = "create_date desc, id desc"
    _rec_name = "partner_id"
    _check_company_auto = True

    rule_id = fields.Many2one(
        "ecrm.coupon.rule",
        required=True,
        ondelete="cascade",
        index=True,
        check_company=True,
    )
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one("res.company", required=True, index=True)
    period_start = fields.Date(required=True)
    is_control = fields.Boolean(
        string="Control group",
        help="Drawn for the control group: no coupon, used to measure the "
        "incremental revenue of the rule.",
    )
    card_id = fields.Many2one(
        "loyalty.card", string="Coupon", ondelete="set null", index="btree_not_null"
    )
    code = fields.Char(related="card_id.code")
    expiration_date = fields.Date(related="card_id.expiration_date")
    mail_id = fields.Many2one("mail.mail", string="Email", ondelete="set null")
    order_id = fields.Many2one(
        "sale.order",
        string="Redeemed on",
        ondelete="set null",
        index="btree_not_null",
        help="The confirmed order that used the coupon.",
    )
    redeemed_date = fields.Datetime()

    _sql_constraints = [
        (
            "rule_partner_period_uniq",
            "unique(rule_id, partner_id, period_start)",
            "A customer gets at most one coupon per rule and period.",
        ),
    ]
