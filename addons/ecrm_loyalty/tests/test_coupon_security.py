# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import SUPERUSER_ID, Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import LoyaltyCase


@tagged("post_install", "-at_install")
class TestCouponSecurity(LoyaltyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._stage_change(cls.customer_a, "at_risk")
        cls.rule = cls._rule(trigger="win_back")
        cls.rule._ecrm_run()
        common = {"company_id": cls.company.id, "company_ids": cls.company.ids}
        cls.ecrm_user = new_test_user(
            cls.env, "loyalty_user", groups="ecrm_core.group_ecrm_user", **common
        )
        cls.ecrm_manager = new_test_user(
            cls.env, "loyalty_manager", groups="ecrm_core.group_ecrm_manager", **common
        )
        cls.portal = new_test_user(
            cls.env, "loyalty_portal", groups="base.group_portal"
        )
        cls.other_company = cls.env["res.company"].create({"name": "Other loyalty co"})

    def test_user_reads_manager_writes(self):
        rule = self.rule.with_user(self.ecrm_user)
        self.assertEqual(rule.result_issued, 1)
        self.assertEqual(rule.preview_count, 0)
        with self.assertRaises(AccessError):
            rule.action_refresh_preview()
        self.assertTrue(
            rule.issue_ids.with_user(self.ecrm_user).read(["partner_id", "code"])
        )
        with self.assertRaises(AccessError):
            rule.name = "Mine"
        with self.assertRaises(AccessError):
            rule.action_run()
        with self.assertRaises(AccessError):
            rule.issue_ids.with_user(self.ecrm_user).unlink()
        self.rule.with_user(self.ecrm_manager).name = "Renamed"
        self.rule.with_user(self.ecrm_manager).action_run()

    def test_portal_and_public_see_nothing(self):
        for user in (self.portal, self.env.ref("base.public_user")):
            for model in (
                "ecrm.coupon.rule",
                "ecrm.coupon.issue",
                "ecrm.loyalty.tier",
                "ecrm.audience.tag",
            ):
                with self.assertRaises(AccessError):
                    self.env[model].with_user(user).search_read([], ["id"])

    def test_multi_company(self):
        other_user = new_test_user(
            self.env,
            "loyalty_other",
            groups="ecrm_core.group_ecrm_manager",
            company_id=self.other_company.id,
            company_ids=self.other_company.ids,
        )
        env = self.env(
            user=other_user, context={"allowed_company_ids": self.other_company.ids}
        )
        self.assertFalse(env["ecrm.coupon.rule"].search([]))
        self.assertFalse(env["ecrm.coupon.issue"].search([]))
        with self.assertRaises(AccessError):
            self.rule.with_env(env).read(["name"])

    def test_audience_read_as_its_author_in_its_company(self):
        """A manager of A learns nothing of company B through a rule's
        audience: the filter reads what its author reads in the rule's
        company, whoever previews or runs the rule."""
        self.env.user.company_ids |= self.other_company
        # Anna (a customer of both companies) ordered 777 in company B
        order_b = self.env["sale.order"].create(
            {
                "partner_id": self.customer_a.id,
                "company_id": self.other_company.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": self.products[0].id,
                            "price_unit": 777.0,
                            "tax_id": False,
                        }
                    )
                ],
            }
        )
        self.assertEqual(order_b.amount_total, 777.0)
        # managers who read every order of their companies
        sales = "sales_team.group_sale_salesman_all_leads"
        self.ecrm_manager.groups_id |= self.env.ref(sales)
        both = new_test_user(
            self.env,
            "loyalty_manager_ab",
            groups=f"ecrm_core.group_ecrm_manager,{sales}",
            company_id=self.company.id,
            company_ids=(self.company | self.other_company).ids,
        )
        domain = "[('sale_order_ids.amount_total', '=', 777.0)]"
        rule = self._rule(name="Probe", trigger="win_back", audience_domain=domain)
        # written by the superuser: everything (as before)
        self.assertEqual(rule.audience_uid.id, SUPERUSER_ID)
        self.assertEqual(self._preview(rule), 1)
        for manager in (self.ecrm_manager, both):
            with self.subTest(manager=manager.login):
                rule.with_user(manager).audience_domain = domain
                self.assertEqual(rule.audience_uid, manager)
                # the preview as the manager, and the run as the cron
                self.assertEqual(self._preview(rule.with_user(manager)), 0)
                self.assertEqual(self._preview(rule.sudo()), 0)
                rule._ecrm_run()
                self.assertFalse(rule.issue_ids)
        # the writer does not pick the author, and other fields keep it
        rule.with_user(both).write({"name": "Probe 2", "audience_uid": SUPERUSER_ID})
        self.assertEqual(rule.audience_uid, both)
        rule.with_user(self.ecrm_manager).name = "Probe 3"
        self.assertEqual(rule.audience_uid, both)
        # the author's own company's orders do count
        # (a quotation: an order would make her a customer again, no win-back)
        order_a = self._order(self.customer_a, 777.0, self.today, confirm=False)
        self.assertEqual(self._preview(rule.with_user(both)), 1)
        order_a.unlink()
        # an author who left the rule's company: nobody
        rule.with_user(both).audience_domain = "[('id', '!=', 0)]"
        self.assertEqual(self._preview(rule), 1)
        both.write(
            {"company_id": self.other_company.id, "company_ids": self.other_company.ids}
        )
        self.assertEqual(self._preview(rule), 0)
