# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import LoyaltyCase


@tagged("post_install", "-at_install")
class TestTiers(LoyaltyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._profile(cls.customer_a, level_id=cls.level_value.id)
        cls._profile(cls.customer_b, level_id=cls.level_foundational.id)
        cls.program = cls.env["loyalty.program"].create(
            {
                "name": "eCRM points",
                "program_type": "loyalty",
                "company_id": cls.company.id,
                "applies_on": "both",
                "trigger": "auto",
                "rule_ids": [
                    Command.create(
                        {"reward_point_mode": "money", "reward_point_amount": 1}
                    )
                ],
                "reward_ids": [
                    Command.create(
                        {
                            "description": "Premium 30 off",
                            "discount": 30,
                            "discount_mode": "per_order",
                            "required_points": 10,
                            "ecrm_level_ids": [Command.set(cls.level_value.ids)],
                        }
                    ),
                ],
                "ecrm_tier_ids": [
                    Command.create(
                        {"level_id": cls.level_value.id, "points_multiplier": 2.0}
                    )
                ],
            }
        )

    def _points(self, partner):
        order = self._cart(partner, self.products[0])
        order._update_programs_and_rewards()
        order.action_confirm()
        return self.env["loyalty.card"].search(
            [("program_id", "=", self.program.id), ("partner_id", "=", partner.id)]
        )

    def test_points_multiplier_per_level(self):
        self.assertEqual(self._points(self.customer_a).points, 200.0)
        self.assertEqual(self._points(self.customer_b).points, 100.0)

    def test_reward_reserved_to_levels(self):
        card_a, card_b = self._points(self.customer_a), self._points(self.customer_b)
        reward = self.program.reward_ids
        order_a = self._cart(self.customer_a, self.products[1])
        order_b = self._cart(self.customer_b, self.products[1])
        self.assertIn(reward, order_a._get_claimable_rewards(card_a)[card_a])
        self.assertFalse(order_b._get_claimable_rewards(card_b))
        result = order_b._apply_program_reward(reward, card_b)
        self.assertIn("reserved", result["error"])
        self.assertNotIn("error", order_a._apply_program_reward(reward, card_a))
        self.assertAlmostEqual(self._discount(order_a), 30.0)

    def test_multiplier_positive(self):
        with self.assertRaises(ValidationError):
            self.program.ecrm_tier_ids.points_multiplier = 0
