# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from odoo import Command, fields
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestPortal(HttpCase):
    """My rewards on /my and the personal coupon in the website cart, as a
    portal customer, another customer and a visitor."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_a = new_test_user(
            cls.env, "ecrm_rewards_a", groups="base.group_portal", name="Rewards A"
        )
        cls.user_b = new_test_user(
            cls.env, "ecrm_rewards_b", groups="base.group_portal", name="Rewards B"
        )
        cls.partner_a, cls.partner_b = cls.user_a.partner_id, cls.user_b.partner_id
        (cls.partner_a | cls.partner_b).email = "rewards@loyalty.example"
        company = cls.env.company
        for partner in (cls.partner_a, cls.partner_b):
            cls.env["ecrm.profile"].create(
                {
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "lifecycle_stage": "at_risk",
                    "level_id": cls.env.ref("ecrm_core.ecrm_level_customer_centred").id,
                }
            )
            cls.env["ecrm.lifecycle.history"].create(
                {
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "date": fields.Date.today() - timedelta(days=1),
                    "to_stage": "at_risk",
                }
            )
        program = cls.env["loyalty.program"].create(
            {
                "name": "eCRM tour coupons",
                "program_type": "coupons",
                "company_id": company.id,
                "reward_ids": [
                    Command.create(
                        {
                            "discount": 20,
                            "discount_applicability": "order",
                            "description": "20% on your order",
                        }
                    )
                ],
            }
        )
        cls.rule = cls.env["ecrm.coupon.rule"].create(
            {
                "name": "Tour win-back",
                "trigger": "win_back",
                "program_id": program.id,
                "audience_domain": repr(
                    [("id", "in", (cls.partner_a | cls.partner_b).ids)]
                ),
            }
        )
        cls.rule._ecrm_run()
        cls.card_a = cls.rule.issue_ids.filtered(
            lambda i: i.partner_id == cls.partner_a
        ).card_id
        cls.card_b = cls.rule.issue_ids.filtered(
            lambda i: i.partner_id == cls.partner_b
        ).card_id
        # a known code for the tour
        cls.card_a.code = "ECRMTOURCODE234567"
        cls.env["product.product"].create(
            {
                "name": "eCRM Tour Lamp",
                "list_price": 100.0,
                "sale_ok": True,
                "is_published": True,
                "taxes_id": False,
            }
        )

    def test_my_rewards_shows_only_own_coupons(self):
        self.authenticate("ecrm_rewards_a", "ecrm_rewards_a")
        page = self.url_open("/my/home/blocks").text
        self.assertIn("My rewards", page)
        self.assertIn(self.card_a.code, page)
        self.assertIn("Customer-centred", page)
        self.assertNotIn(self.card_b.code, page)
        # Odoo's own card route does not give another customer's card
        response = self.make_jsonrpc_request(
            f"/my/loyalty_card/{self.card_b.id}/values", {}
        )
        self.assertEqual(response, {})

    def test_rpc_access(self):
        """No model of this addon answers a portal user or a visitor."""
        self.authenticate("ecrm_rewards_a", "ecrm_rewards_a")
        for model in ("ecrm.coupon.rule", "ecrm.coupon.issue", "ecrm.loyalty.tier"):
            for method, args in (
                ("search_read", [[]]),
                ("read", [self.rule.issue_ids.ids]),
            ):
                with self.assertRaises(Exception) as error:
                    self.make_jsonrpc_request(
                        "/web/dataset/call_kw",
                        {"model": model, "method": method, "args": args, "kwargs": {}},
                    )
                self.assertIn("AccessError", str(error.exception))
        # the bound card of another customer is not readable either
        with self.assertRaises(Exception) as error:
            self.make_jsonrpc_request(
                "/web/dataset/call_kw",
                {
                    "model": "loyalty.card",
                    "method": "read",
                    "args": [self.card_b.ids, ["code"]],
                    "kwargs": {},
                },
            )
        self.assertIn("AccessError", str(error.exception))

    def test_public_sees_nothing(self):
        self.authenticate(None, None)
        response = self.url_open("/my", allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        self.assertIn("/web/login", response.headers["Location"])

    def test_tour_personal_coupon_in_cart(self):
        self.start_tour("/", "ecrm_loyalty_personal_coupon", login="ecrm_rewards_a")
        order = self.env["sale.order"].search(
            [("partner_id", "=", self.partner_a.id), ("website_id", "!=", False)]
        )
        self.assertEqual(order.order_line.coupon_id, self.card_a)

    def test_other_customer_refused_in_cart(self):
        self.authenticate("ecrm_rewards_b", "ecrm_rewards_b")
        order = self.env["sale.order"].create(
            {
                "partner_id": self.partner_b.id,
                "website_id": self.env["website"].get_current_website().id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": self.env["product.product"]
                            .search([("name", "=", "eCRM Tour Lamp")])
                            .id
                        }
                    )
                ],
            }
        )
        self.assertIn(
            "belongs to another customer",
            order._try_apply_code(self.card_a.code)["error"],
        )
