# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import tagged
from odoo.tools import SQL

from odoo.addons.ecrm_loyalty.models.ecrm_coupon_issue import DRAW_TABLE

from .common import LoyaltyCase


@tagged("post_install", "-at_install")
class TestForget(LoyaltyCase):
    """OCA's wizard erases the coupon mails, the waiting draws and the web
    visits of the customer; the coupon issues stay for the rules' results."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for partner in (cls.customer_a, cls.customer_b):
            cls._stage_change(partner, "at_risk")
        cls.rule = cls._rule(name="Come back", trigger="win_back")
        cls.rule._ecrm_run()
        cls.env.cr.execute(
            SQL(
                "INSERT INTO %s (rule_id, partner_id, period_start)"
                " VALUES (%s, %s, '2030-01-01'), (%s, %s, '2030-01-01')",
                SQL.identifier(DRAW_TABLE),
                cls.rule.id,
                cls.customer_a.id,
                cls.rule.id,
                cls.customer_b.id,
            )
        )
        website = cls.env["website"].search([], limit=1)
        # a signed-in visitor's token is their partner's id
        cls.env["website.visitor"].create(
            [
                {"access_token": str(partner.id), "website_id": website.id}
                for partner in (cls.customer_a, cls.customer_b)
            ]
        )

    def _issue(self, partner):
        return self.rule.issue_ids.filtered(lambda i: i.partner_id == partner)

    def _draws(self):
        self.env.cr.execute(
            SQL(
                "SELECT partner_id FROM %s WHERE partner_id = ANY(%s)",
                SQL.identifier(DRAW_TABLE),
                (self.customer_a | self.customer_b).ids,
            )
        )
        return {row[0] for row in self.env.cr.fetchall()}

    def test_forget_erases_loyalty_data(self):
        issue_a, issue_b = self._issue(self.customer_a), self._issue(self.customer_b)
        self.assertTrue(issue_a.mail_id and issue_b.mail_id)
        card_messages = self.env["mail.message"].search(
            [("model", "=", "loyalty.card"), ("res_id", "=", issue_a.card_id.id)]
        )
        self.assertTrue(card_messages)
        officer = self.env.ref("base.user_admin")
        officer.company_ids |= self.company
        self.env["partner.anonymize.wizard"].with_user(officer).with_context(
            active_ids=self.customer_a.ids
        ).create({}).action_confirm()
        self.assertTrue(issue_a.exists() and issue_a.card_id)
        self.assertFalse(issue_a.mail_id)
        self.assertFalse(card_messages.exists())
        self.assertTrue(issue_b.mail_id)
        self.assertEqual(self._draws(), {self.customer_b.id})
        visitors = self.env["website.visitor"].with_context(active_test=False)
        self.assertFalse(visitors.search([("partner_id", "=", self.customer_a.id)]))
        self.assertTrue(visitors.search([("partner_id", "=", self.customer_b.id)]))
