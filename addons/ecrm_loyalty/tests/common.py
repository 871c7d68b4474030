# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import ValidationError

from odoo.addons.ecrm_core.tests.common import EcrmCase


class LoyaltyCase(EcrmCase):
    """Two coupon programs of the test company (20% on the order, 50% on
    specific products) and three customers with an email address."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.context_today(cls.env.user)
        Program = cls.env["loyalty.program"]
        cls.program_order, cls.program_products = Program.create(
            [
                {
                    "name": "eCRM 20% off",
                    "program_type": "coupons",
                    "company_id": cls.company.id,
                    "trigger": "with_code",
                    "applies_on": "current",
                    "rule_ids": [Command.create({"reward_point_amount": 1})],
                    "reward_ids": [
                        Command.create(
                            {
                                "reward_type": "discount",
                                "discount": 20,
                                "discount_mode": "percent",
                                "discount_applicability": "order",
                                "required_points": 1,
                            }
                        )
                    ],
                },
                {
                    "name": "eCRM 50% on your products",
                    "program_type": "coupons",
                    "company_id": cls.company.id,
                    "trigger": "with_code",
                    "applies_on": "current",
                    "rule_ids": [Command.create({"reward_point_amount": 1})],
                    "reward_ids": [
                        Command.create(
                            {
                                "reward_type": "discount",
                                "discount": 50,
                                "discount_mode": "percent",
                                "discount_applicability": "specific",
                                "required_points": 1,
                            }
                        )
                    ],
                },
            ]
        )
        cls.customer_a, cls.customer_b, cls.customer_c = (
            cls._customer(name, email=f"{name.lower()}@loyalty.example")
            for name in ("Anna", "Bert", "Cleo")
        )

    @classmethod
    def _rule(cls, **values):
        return cls.env["ecrm.coupon.rule"].create(
            {
                "name": "Test rule",
                "company_id": cls.company.id,
                "program_id": cls.program_order.id,
                **values,
            }
        )

    @classmethod
    def _profile(cls, partner, **values):
        return cls.env["ecrm.profile"].create(
            {"partner_id": partner.id, "company_id": cls.company.id, **values}
        )

    @classmethod
    def _stage_change(cls, partner, stage, days_ago=1):
        cls._profile(partner, lifecycle_stage=stage)
        cls.env["ecrm.lifecycle.history"].create(
            {
                "partner_id": partner.id,
                "company_id": cls.company.id,
                "date": cls.today - timedelta(days=days_ago),
                "from_stage": "retention",
                "to_stage": stage,
            }
        )

    def _cart(self, partner, *products):
        """A draft order of 100 per product."""
        return self.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "company_id": self.company.id,
                "pricelist_id": self.eur_pricelist.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "product_uom_qty": 1,
                            "price_unit": 100.0,
                            "tax_id": False,
                        }
                    )
                    for product in products
                ],
            }
        )

    def _apply(self, order, code):
        """Apply a code as the cart and the backend wizard do."""
        status = order._try_apply_code(code)
        if "error" in status:
            raise ValidationError(status["error"])
        for coupon, rewards in status.items():
            result = order._apply_program_reward(rewards[:1], coupon)
            if "error" in result:
                raise ValidationError(result["error"])
        return order

    def _discount(self, order):
        return -sum(
            order.order_line.filtered("is_reward_line").mapped("price_subtotal")
        )

    @staticmethod
    def _preview(rule):
        """The rule's audience count, refreshed now (as its button does)."""
        rule.action_refresh_preview()
        return rule.preview_count
