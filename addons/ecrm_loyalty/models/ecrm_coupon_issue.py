# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models
from odoo.tools.sql import create_index


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

    # no index of its own on rule_id or company_id: the unique (rule,
    # partner, period) index serves the rule's lookups, and a company is not
    # selective (the results and the dashboard select by date: see init());
    # fewer indexes to fill for each of the rows a run draws
    rule_id = fields.Many2one(
        "ecrm.coupon.rule",
        required=True,
        ondelete="cascade",
        check_company=True,
    )
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one("res.company", required=True)
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
    redeemed_date = fields.Datetime(index="btree_not_null")
    # A rule draws its whole audience at once (one audience query per run);
    # the coupons and mails of the drawn customers are then created batch by
    # batch, with the products they were drawn with.
    pending = fields.Boolean(
        readonly=True,
        help="Drawn; the coupon and its mail are created by the next batch.",
    )
    drawn_products = fields.Json(
        readonly=True, help="The ids of the products the pending coupon is for."
    )

    _sql_constraints = [
        (
            "rule_partner_period_uniq",
            "unique(rule_id, partner_id, period_start)",
            "A customer gets at most one coupon per rule and period.",
        ),
    ]

    def init(self):
        # the rules' results and the metrics' coupon figures select a period
        create_index(
            self.env.cr,
            "ecrm_coupon_issue_create_date_index",
            self._table,
            ["create_date"],
        )
        create_index(
            self.env.cr,
            "ecrm_coupon_issue_pending_index",
            self._table,
            ["rule_id", "id"],
            where="pending",
        )
