# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta
from unittest.mock import patch

from markupsafe import escape
from psycopg2 import IntegrityError

from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import freeze_time, tagged
from odoo.tools import mute_logger

from .. import uninstall_hook
from ..models.res_partner import canonical_email
from .common import LoyaltyCase


@tagged("post_install", "-at_install")
class TestCouponTriggers(LoyaltyCase):
    def test_purchase_history_personal_products(self):
        """A's coupon discounts what A bought, never what only B bought."""
        p_a, p_b = self.products[0], self.products[1]
        self._order(self.customer_a, 100.0, self.today - timedelta(days=5), product=p_a)
        self._order(self.customer_b, 100.0, self.today - timedelta(days=5), product=p_b)
        # too old for the look-back
        self._order(
            self.customer_c, 100.0, self.today - timedelta(days=200), product=p_a
        )
        rule = self._rule(
            trigger="purchase_history",
            program_id=self.program_products.id,
            lookback_days=90,
        )
        self.assertEqual(self._preview(rule), 2)
        rule._ecrm_run()
        card_a = rule.issue_ids.filtered(
            lambda i: i.partner_id == self.customer_a
        ).card_id
        card_b = rule.issue_ids.filtered(
            lambda i: i.partner_id == self.customer_b
        ).card_id
        self.assertEqual(card_a.ecrm_product_ids, p_a)
        self.assertEqual(card_b.ecrm_product_ids, p_b)
        self.assertIn(
            p_a.display_name,
            rule.issue_ids.mail_id.filtered(lambda m: m.res_id == card_a.id).body_html,
        )

        order = self._apply(self._cart(self.customer_a, p_a, p_b), card_a.code)
        self.assertAlmostEqual(
            self._discount(order), 50.0, msg="50% of A's product only"
        )
        order.action_confirm()
        self.assertEqual(rule.issue_ids.filtered("order_id").order_id, order)
        self.assertEqual(rule._ecrm_results()[rule.id]["redeemed"], 1)

        only_b = self._cart(self.customer_b, p_a)
        with self.assertRaisesRegex(UserError, "nothing to discount"):
            self._apply(only_b, card_b.code)
        self.assertFalse(self._discount(only_b))

    def test_bound_coupon(self):
        """Another customer cannot use a bound coupon; gift cards stay shareable."""
        self._stage_change(self.customer_a, "churned")
        rule = self._rule(trigger="win_back")
        rule._ecrm_run()
        code = rule.issue_ids.card_id.code
        order_b = self._cart(self.customer_b, self.products[0])
        with self.assertRaisesRegex(ValidationError, "belongs to another customer"):
            self._apply(order_b, code)
        # the backend wizard gives the same error
        wizard = self.env["sale.loyalty.coupon.wizard"].create(
            {"order_id": order_b.id, "coupon_code": code}
        )
        with self.assertRaisesRegex(ValidationError, "belongs to another customer"):
            wizard.action_apply()
        # a contact of the customer's company may use it
        contact = self._customer("Anna's assistant", parent_id=self.customer_a.id)
        order_contact = self._apply(self._cart(contact, self.products[0]), code)
        self.assertAlmostEqual(self._discount(order_contact), 20.0)
        # changing the customer of the order afterwards does not keep the discount
        order_contact.partner_id = self.customer_b
        order_contact._update_programs_and_rewards()
        self.assertFalse(self._discount(order_contact))

        gift = self.env["loyalty.program"].create(
            {
                "name": "Gift card",
                "program_type": "gift_card",
                "company_id": self.company.id,
            }
        )
        card = self.env["loyalty.card"].create(
            {"program_id": gift.id, "partner_id": self.customer_a.id, "points": 30}
        )
        self.assertTrue(card._ecrm_usable_by(self.customer_b))

    def test_level_upgrade(self):
        self._profile(self.customer_a, level_id=self.level_centred.id)
        self._profile(self.customer_b, level_id=self.level_foundational.id)
        History = self.env["ecrm.level.history"]
        History.create(
            [
                {
                    "partner_id": self.customer_a.id,
                    "company_id": self.company.id,
                    "from_level_id": self.level_foundational.id,
                    "to_level_id": self.level_centred.id,
                    "reason": "rule",
                },
                # a downgrade is not welcomed
                {
                    "partner_id": self.customer_b.id,
                    "company_id": self.company.id,
                    "from_level_id": self.level_centred.id,
                    "to_level_id": self.level_foundational.id,
                    "reason": "rule",
                },
            ]
        )
        rule = self._rule(trigger="level_upgrade")
        rule._ecrm_run()
        self.assertEqual(rule.issue_ids.partner_id, self.customer_a)
        order = self._apply(
            self._cart(self.customer_a, self.products[1]), rule.issue_ids.code
        )
        self.assertAlmostEqual(self._discount(order), 20.0)
        order.action_confirm()
        self.assertEqual(rule.result_redeemed, 1)

    def test_cross_sell(self):
        main, accessory, optional = self.products
        main.accessory_product_ids = accessory
        main.product_tmpl_id.optional_product_ids = optional.product_tmpl_id
        day = self.today - timedelta(days=10)
        self._order(self.customer_a, 100.0, day, product=main)
        self._order(self.customer_b, 100.0, day, product=main)
        # B bought the accessory since: only the optional product is offered
        self._order(self.customer_b, 10.0, day + timedelta(days=1), product=accessory)
        # C bought the main product too recently
        self._order(self.customer_c, 100.0, self.today, product=main)
        rule = self._rule(
            trigger="cross_sell",
            program_id=self.program_products.id,
            lookback_days=7,
        )
        rule._ecrm_run()
        self.assertEqual(rule.issue_ids.partner_id, self.customer_a | self.customer_b)
        card_a = rule.issue_ids.filtered(
            lambda i: i.partner_id == self.customer_a
        ).card_id
        card_b = rule.issue_ids.filtered(
            lambda i: i.partner_id == self.customer_b
        ).card_id
        self.assertEqual(card_a.ecrm_product_ids, accessory | optional)
        self.assertEqual(card_b.ecrm_product_ids, optional)
        order = self._apply(self._cart(self.customer_a, main, accessory), card_a.code)
        self.assertAlmostEqual(self._discount(order), 50.0)
        order.action_confirm()
        self.assertEqual(rule.result_redeemed, 1)

    def _views(self, partner, product, count):
        website = self.env["website"].create(
            {"name": "eCRM views shop", "company_id": self.company.id}
        )
        visitor = self.env["website.visitor"].create(
            {
                # a signed-in visitor's token is their partner id
                "access_token": partner.id,
                "partner_id": partner.id,
                "website_id": website.id,
            }
        )
        self.env["website.track"].create(
            [{"visitor_id": visitor.id, "product_id": product.id}] * count
        )
        return visitor

    def test_cross_sell_viewed_products(self):
        """Cross-sell can also offer what the customer kept looking at."""
        main, accessory, viewed = self.products
        main.accessory_product_ids = accessory
        self._order(
            self.customer_a, 100.0, self.today - timedelta(days=10), product=main
        )
        visitor = self._views(self.customer_a, viewed, 2)
        rule = self._rule(
            trigger="cross_sell",
            program_id=self.program_products.id,
            lookback_days=7,
            count_viewed_products=True,
            min_views=3,
        )
        self.assertEqual(self._preview(rule), 1)
        self.env["website.track"].create(
            {"visitor_id": visitor.id, "product_id": viewed.id}
        )
        rule._ecrm_run()
        self.assertEqual(rule.issue_ids.card_id.ecrm_product_ids, accessory | viewed)

    def test_viewed_products(self):
        """Past purchases can also offer what the customer kept looking at."""
        viewed = self.products[2]
        # sorts before products[0]: the mail lists them in the products' order
        viewed.name = "A product viewed"
        self._order(self.customer_a, 100.0, self.today - timedelta(days=3))
        self._views(self.customer_a, viewed, 3)
        rule = self._rule(
            trigger="purchase_history",
            program_id=self.program_products.id,
            count_viewed_products=True,
            min_views=3,
        )
        rule._ecrm_run()
        card = rule.issue_ids.card_id
        self.assertEqual(card.ecrm_product_ids, self.products[0] | viewed)
        # the mail's text is the one the coupon gives when read back
        card.invalidate_recordset()
        self.assertEqual(
            card.ecrm_products_text,
            f"On {viewed.display_name}, {self.products[0].display_name}",
        )
        self.assertIn(
            str(escape(card.ecrm_products_text)), rule.issue_ids.mail_id.body_html
        )
        timeline = self.env["ecrm.interaction"].search(
            [("partner_id", "=", self.customer_a.id), ("kind", "=", "product_views")]
        )
        self.assertEqual(len(timeline), 1)
        self.assertEqual(timeline.company_id, self.company)
        self.assertIn(viewed.name, timeline.summary)

    def test_timeline(self):
        self._stage_change(self.customer_a, "churned")
        rule = self._rule(trigger="win_back")
        rule._ecrm_run()
        order = self._apply(
            self._cart(self.customer_a, self.products[0]), rule.issue_ids.code
        )
        Interaction = self.env["ecrm.interaction"]
        domain = [("partner_id", "=", self.customer_a.id)]
        cart = Interaction.search(domain + [("kind", "=", "cart")])
        self.assertFalse(cart, "only website carts")
        order.action_confirm()
        issued = Interaction.search(domain + [("kind", "=", "coupon_issued")])
        redeemed = Interaction.search(domain + [("kind", "=", "coupon_redeemed")])
        self.assertEqual(issued.company_id, self.company)
        self.assertIn(rule.issue_ids.code, issued.summary)
        self.assertIn(order.name, redeemed.summary)
        self.assertEqual(redeemed.company_id, self.company)

    def test_redemption_of_orders_confirmed_together(self):
        """Redemption is recorded for orders confirmed in batch too."""
        self._stage_change(self.customer_a, "churned")
        self._stage_change(self.customer_b, "churned")
        rule = self._rule(trigger="win_back")
        rule._ecrm_run()
        orders = self.env["sale.order"]
        for issue in rule.issue_ids:
            orders |= self._apply(
                self._cart(issue.partner_id, self.products[0]), issue.code
            )
        orders.action_confirm()
        for issue in rule.issue_ids:
            self.assertEqual(issue.order_id.partner_id, issue.partner_id)
        self.assertTrue(orders.order_line.filtered("is_reward_line"))
        self.assertEqual(orders.order_line.coupon_id.mapped("points"), [0, 0])

    def test_abandoned_cart(self):
        """idle H → the website's reminder; idle H2 → coupon; ordering stops it"""
        website = self.env["website"].create(
            {"name": "eCRM cart shop", "company_id": self.company.id}
        )
        cart_a = self._cart(self.customer_a, self.products[0])
        cart_b = self._cart(self.customer_b, self.products[1])
        now = fields.Datetime.now()
        (cart_a | cart_b).write(
            {"website_id": website.id, "date_order": now - timedelta(hours=2)}
        )
        # website_sale already reminded B: never a second reminder
        cart_b.cart_recovery_email_sent = True
        rule = self._rule(trigger="abandoned_cart", reminder_hours=1, coupon_hours=24)
        Mail = self.env["mail.mail"]
        rule._ecrm_run()
        self.assertFalse(rule.issue_ids, "no coupon before H2")
        self.assertTrue(cart_a.cart_recovery_email_sent)
        reminders = Mail.search(
            [("model", "=", "sale.order"), ("res_id", "=", cart_a.id)]
        )
        self.assertEqual(len(reminders), 1)
        self.assertFalse(
            Mail.search([("model", "=", "sale.order"), ("res_id", "=", cart_b.id)])
        )
        rule._ecrm_run()
        self.assertEqual(
            Mail.search_count(
                [("model", "=", "sale.order"), ("res_id", "=", cart_a.id)]
            ),
            1,
        )
        # B orders: the sequence stops for B
        self._order(self.customer_b, 50.0, self.today)
        (cart_a | cart_b).date_order = now - timedelta(hours=25)
        rule._ecrm_run()
        self.assertEqual(rule.issue_ids.partner_id, self.customer_a)
        # A's cart itself is where the coupon is used
        order = self._apply(cart_a, rule.issue_ids.code)
        self.assertAlmostEqual(self._discount(order), 20.0)
        order.action_confirm()
        self.assertEqual(rule.issue_ids.order_id, cart_a)
        self.assertEqual(rule.result_redeemed, 1)
        # the timeline shows website carts
        cart = self.env["ecrm.interaction"].search(
            [("kind", "=", "cart"), ("partner_id", "=", self.customer_b.id)]
        )
        self.assertEqual((cart.res_id, cart.company_id), (cart_b.id, self.company))
        self.assertFalse(
            self.env["ecrm.interaction"].search(
                [("kind", "=", "cart"), ("res_id", "=", cart_a.id)]
            ),
            "a confirmed cart is an order, not a cart",
        )

    def test_cart_delays(self):
        with self.assertRaises(ValidationError):
            self._rule(trigger="abandoned_cart", reminder_hours=5, coupon_hours=2)

    def test_referral(self):
        """referee coupon on the first order, referrer reward at its
        confirmation, once; no self-referral"""
        rule = self._rule(trigger="referral", name="Bring a friend")
        code = self.customer_a._ecrm_get_referral_code()
        self.assertEqual(len(code), 10)
        self.assertEqual(self.customer_a._ecrm_get_referral_code(), code)
        # self-referral: same customer, or same email
        with self.assertRaisesRegex(ValidationError, "your own referral code"):
            self._apply(self._cart(self.customer_a, self.products[0]), code)
        twin = self._customer("Anna again", email="anna@loyalty.example")
        with self.assertRaisesRegex(ValidationError, "your own referral code"):
            self._apply(self._cart(twin, self.products[0]), code)
        # an existing customer is not a referee
        self._order(self.customer_c, 10.0, self.today)
        with self.assertRaisesRegex(ValidationError, "for new customers"):
            self._apply(self._cart(self.customer_c, self.products[0]), code)

        order = self._apply(self._cart(self.customer_b, self.products[0]), code)
        self.assertAlmostEqual(self._discount(order), 20.0)
        issue = rule.issue_ids
        self.assertEqual(issue.partner_id, self.customer_b)
        self.assertEqual(self.customer_b.ecrm_referrer_id, self.customer_a)
        # B's coupon is B's: A cannot use it
        with self.assertRaisesRegex(ValidationError, "belongs to another customer"):
            self._apply(self._cart(self.customer_a, self.products[0]), issue.code)
        order.action_confirm()
        self.assertEqual(issue.order_id, order)
        reward = self.customer_b.ecrm_referral_reward_id
        self.assertEqual(reward.partner_id, self.customer_a)
        self.assertTrue(reward.ecrm_bound)
        # one reward per referee
        self._order(self.customer_b, 10.0, self.today)
        self.assertEqual(
            self.env["loyalty.card"].search_count(
                [
                    ("partner_id", "=", self.customer_a.id),
                    ("program_id", "=", self.program_order.id),
                ]
            ),
            1,
        )
        # A uses the reward
        order_a = self._apply(
            self._cart(self.customer_a, self.products[1]), reward.code
        )
        self.assertAlmostEqual(self._discount(order_a), 20.0)
        self.assertEqual(self.customer_a._ecrm_loyalty_rewards()["referral_code"], code)

    def test_canonical_email(self):
        for email, mailbox in (
            ("Anna <ANNA@Loyalty.Example>", "anna@loyalty.example"),
            ("anna+shop@loyalty.example", "anna@loyalty.example"),
            ("a.nna+x+y@loyalty.example", "a.nna@loyalty.example"),
            ("A.N.N.A+promo@GoogleMail.com", "anna@gmail.com"),
            ("anna@gmail.com", "anna@gmail.com"),
            ("not an address", None),
            (False, None),
        ):
            with self.subTest(email=email):
                self.assertEqual(canonical_email(email), mailbox)

    def test_referral_aliases_are_oneself(self):
        """An alias of the referrer's mailbox, or a contact of the
        referrer's company, cannot use the referrer's code."""
        self._rule(trigger="referral", name="Bring a friend")
        self.customer_a.email = "Anna.Smith@gmail.com"
        code = self.customer_a._ecrm_get_referral_code()
        colleague = self._customer("Colleague", email="colleague@loyalty.example")
        self.customer_a.child_ids = colleague
        for email in (
            "anna.smith+deal@gmail.com",
            "ANNASMITH@googlemail.com",
            "colleague+1@Loyalty.Example",
        ):
            with self.subTest(email=email):
                alias = self._customer("Alias", email=email)
                with self.assertRaisesRegex(ValidationError, "your own referral code"):
                    self._apply(self._cart(alias, self.products[0]), code)
        # another mailbox is another person
        self.customer_b.email = "anna.smith@loyalty.example"
        self._apply(self._cart(self.customer_b, self.products[0]), code)
        self.assertEqual(self.customer_b.ecrm_referrer_id, self.customer_a)

    def test_referral_rewards_capped(self):
        """A referrer gets at most the company's maximum of rewards in each
        period of the referral rule."""
        self.company.ecrm_referral_max_rewards = 1
        rule = self._rule(trigger="referral", name="Bring a friend")
        code = self.customer_a._ecrm_get_referral_code()
        dave = self._customer("Dave", email="dave@loyalty.example")
        orders = [
            self._apply(self._cart(referee, self.products[0]), code)
            for referee in (self.customer_b, self.customer_c, dave)
        ]
        orders[0].action_confirm()
        self.assertTrue(self.customer_b.ecrm_referral_reward_id)
        with self.assertLogs(
            "odoo.addons.ecrm_loyalty.models.ecrm_coupon_engine", "WARNING"
        ) as logs:
            orders[1].action_confirm()
        self.assertIn("reached the cap", logs.output[0])
        self.assertEqual(orders[1].state, "sale")
        self.assertFalse(self.customer_c.ecrm_referral_reward_id)
        # the next period
        later = self.today + timedelta(days=rule.period_days)
        with freeze_time(later):
            orders[2].action_confirm()
        self.assertTrue(dave.ecrm_referral_reward_id)
        # no cap
        self.company.ecrm_referral_max_rewards = 0
        self._order(self.customer_c, 10.0, self.today)
        self.assertTrue(self.customer_c.ecrm_referral_reward_id)
        self.assertEqual(
            (
                self.customer_b | self.customer_c | dave
            ).ecrm_referral_reward_id.partner_id,
            self.customer_a,
        )
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
            self.company.ecrm_referral_max_rewards = -1
            self.env.flush_all()

    def test_failing_reward_never_blocks_the_order(self):
        """A referral reward or a redemption record that fails is logged and
        rolled back: the order is confirmed."""
        rule = self._rule(trigger="referral", name="Bring a friend")
        code = self.customer_a._ecrm_get_referral_code()
        order = self._apply(self._cart(self.customer_b, self.products[0]), code)
        Engine = type(self.env["ecrm.coupon.engine"])
        Order = type(self.env["sale.order"])

        def broken(*args, **kwargs):
            # half done, then failing: the half is rolled back
            self.customer_a.name = "Half-written"
            self.env.flush_all()
            raise ValueError("mail server on fire")

        with (
            patch.object(Engine, "_ecrm_reward_referrer", broken),
            patch.object(Order, "_ecrm_record_redemptions", broken),
            self.assertLogs(
                "odoo.addons.ecrm_loyalty.models.sale_order", "ERROR"
            ) as logs,
        ):
            order.action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertEqual(len(logs.output), 2)
        self.assertIn("redemptions", logs.output[0])
        self.assertIn("referral reward", logs.output[1])
        self.assertEqual(self.customer_a.name, "Anna")
        self.assertFalse(self.customer_b.ecrm_referral_reward_id)
        self.assertFalse(rule.issue_ids.order_id)

    def test_uninstall_hook_rebuilds_the_timeline(self):
        uninstall_hook(self.env)
        self.env.cr.execute(
            "SELECT count(*) FROM pg_depend d"
            "  JOIN pg_rewrite r ON r.oid = d.objid"
            " WHERE r.ev_class = 'ecrm_interaction'::regclass"
            "   AND d.refobjid = 'ecrm_coupon_issue'::regclass"
        )
        self.assertEqual(self.env.cr.fetchone()[0], 0)
        self.env["ecrm.interaction"].init()
        self.env.cr.execute(
            "SELECT count(*) FROM pg_depend d"
            "  JOIN pg_rewrite r ON r.oid = d.objid"
            " WHERE r.ev_class = 'ecrm_interaction'::regclass"
            "   AND d.refobjid = 'ecrm_coupon_issue'::regclass"
        )
        self.assertTrue(self.env.cr.fetchone()[0])
