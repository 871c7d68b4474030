# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
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
            for model in ("ecrm.coupon.rule", "ecrm.coupon.issue", "ecrm.loyalty.tier"):
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
