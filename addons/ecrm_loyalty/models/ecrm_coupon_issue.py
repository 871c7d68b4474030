# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models
from odoo.tools import SQL
from odoo.tools.sql import create_index

# the customers drawn by a rule's run, waiting for their coupon (see init())
DRAW_TABLE = "ecrm_coupon_draw"


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
        # The customers a run drew who wait for their coupon (created batch
        # by batch, with the products they were drawn with): their issue row
        # is inserted once, with its coupon and mail, not inserted when drawn
        # and updated when issued (every index of the row filled twice).
        # A logged table, not an unlogged one: the rule's form previews the
        # audience (which leaves these customers out) in read-only requests,
        # which Odoo sends to a streaming replica when one is configured, and
        # a replica cannot read unlogged tables.
        self.env.cr.execute(
            SQL(
                """
                CREATE TABLE IF NOT EXISTS %s (
                    rule_id integer NOT NULL
                        REFERENCES ecrm_coupon_rule ON DELETE CASCADE,
                    partner_id integer NOT NULL
                        REFERENCES res_partner ON DELETE CASCADE,
                    period_start date NOT NULL,
                    products jsonb,
                    PRIMARY KEY (rule_id, partner_id, period_start)
                )
                """,
                SQL.identifier(DRAW_TABLE),
            )
        )
