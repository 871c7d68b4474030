# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import random
from datetime import timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged

from .common import EcrmCase

# the order's and the engine's savepoints, a few ORM reads, the engine's lock and
# session settings, then one statement computing the statistics and the
# extension stage, scoring and writing the profile and its histories (no
# temporary table), the settings back
QUERIES_PER_ORDER_UPDATE = 18


@tagged("post_install", "-at_install")
class TestRfm(EcrmCase):
    def test_scores_follow_quintiles(self):
        customers = [self._customer(f"Q{n}") for n in range(5)]
        for n, customer in enumerate(customers):
            # recency 10..50 days, 1..5 orders, growing amounts
            for k in range(n + 1):
                day = self.TODAY - timedelta(days=10 * (n + 1) + 60 * k)
                self._order(customer, 100 * (n + 1), day)
        self._recompute_all()
        self.assertEqual([c.ecrm_f_score for c in customers], [1, 2, 3, 4, 5])
        self.assertEqual([c.ecrm_m_score for c in customers], [1, 2, 3, 4, 5])
        self.assertEqual([c.ecrm_r_score for c in customers], [5, 4, 3, 2, 1])
        with freeze_time(self.TODAY):
            recencies = [c.ecrm_recency_days for c in customers]
        self.assertEqual(recencies, [10, 20, 30, 40, 50])
        self.assertEqual(customers[4].ecrm_frequency, 5)
        self.assertEqual(customers[4].ecrm_monetary, 2500)

    def test_ties_get_equal_scores(self):
        customers = [self._customer(f"T{n}") for n in range(6)]
        amounts = [100, 100, 100, 300, 300, 900]
        for customer, amount in zip(customers, amounts, strict=True):
            self._order(customer, amount, self.TODAY - timedelta(days=5))
        self._recompute_all()
        scores = [c.ecrm_m_score for c in customers]
        self.assertEqual(len(set(scores[:3])), 1)
        self.assertEqual(scores[3], scores[4])
        self.assertLess(scores[0], scores[3])
        self.assertLess(scores[3], scores[5])
        # same recency for everyone: one R score
        self.assertEqual(len({c.ecrm_r_score for c in customers}), 1)

    def test_population_of_one(self):
        customer = self._customer()
        self._order(customer, 250, self.TODAY - timedelta(days=3))
        self._recompute_all()
        self.assertEqual(
            (customer.ecrm_r_score, customer.ecrm_f_score, customer.ecrm_m_score),
            (5, 1, 1),
        )
        self.assertEqual(customer.ecrm_rfm_segment, "new")
        self.assertEqual(customer.ecrm_aov, 250)

    def test_customer_without_orders(self):
        prospect = self._customer("Prospect")
        self._order(prospect, 100, self.TODAY, confirm=False)
        self._recompute_all()
        self.assertFalse(prospect.ecrm_profile_id)
        self.assertFalse(prospect.ecrm_rfm_segment)
        self.assertFalse(prospect.ecrm_r_score)
        self.assertEqual(prospect.ecrm_monetary, 0)

    def test_cancelled_orders_do_not_count(self):
        customer = self._customer()
        self._order(customer, 100, self.TODAY - timedelta(days=20))
        order = self._order(customer, 400, self.TODAY - timedelta(days=10))
        self._recompute_all()
        self.assertEqual(customer.ecrm_monetary, 500)
        with freeze_time(self.TODAY):
            order._action_cancel()
        self.assertEqual(customer.ecrm_frequency, 1)
        self.assertEqual(customer.ecrm_monetary, 100)
        with freeze_time(self.TODAY):
            self.assertEqual(customer.ecrm_recency_days, 20)

    def test_amounts_converted_to_company_currency(self):
        customer = self._customer()
        self._order(
            customer, 200, self.TODAY - timedelta(days=1), pricelist=self.usd_pricelist
        )
        self._order(customer, 50, self.TODAY - timedelta(days=2))
        self._recompute_all()
        self.assertAlmostEqual(customer.ecrm_monetary, 150)

    def test_contacts_share_the_commercial_partner_profile(self):
        company = self._customer("Buyer Ltd", is_company=True)
        contact = self._customer("Buyer", parent_id=company.id)
        self._order(contact, 120, self.TODAY - timedelta(days=4))
        self._recompute_all()
        self.assertEqual(company.ecrm_frequency, 1)
        self.assertEqual(company.ecrm_monetary, 120)
        self.assertFalse(contact.ecrm_frequency)

    def test_profiles_are_per_company(self):
        customer = self._customer()
        self._order(customer, 300, self.TODAY - timedelta(days=8))
        self._recompute_all()
        other = self.env["res.company"].create({"name": "Other eCRM Co"})
        self.env.user.company_ids |= other
        in_other = customer.with_company(other)
        with freeze_time(self.TODAY):
            in_other._ecrm_recompute_all()
        self.assertEqual(customer.ecrm_monetary, 300)
        self.assertFalse(in_other.ecrm_monetary)
        self.assertFalse(in_other.ecrm_profile_id)

    def test_customers_are_grouped_sorted_and_searched_by_profile(self):
        small, big = self._customer("Small"), self._customer("Big")
        prospect = self._customer("Prospect")
        self._order(small, 100, self.TODAY - timedelta(days=3))
        self._order(big, 900, self.TODAY - timedelta(days=3))
        self._recompute_all()
        everyone = [("id", "in", (small | big | prospect).ids)]
        Partner = self.env["res.partner"]
        self.assertEqual(
            Partner.search(
                everyone + [("ecrm_order_count", ">", 0)], order="ecrm_clv desc"
            ),
            big | small,
        )
        self.assertEqual(
            Partner.search(everyone + [("ecrm_profile_id", "=", False)]), prospect
        )
        groups = dict(Partner._read_group(everyone, ["ecrm_rfm_segment"], ["__count"]))
        self.assertEqual(
            groups, {big.ecrm_rfm_segment: 1, small.ecrm_rfm_segment: 1, False: 1}
        )
        other = self.env["res.company"].create({"name": "Other eCRM Co"})
        self.env.user.company_ids |= other
        in_other = Partner.with_company(other)
        self.assertEqual(
            in_other._read_group(everyone, ["ecrm_level_id"], ["__count"]),
            [(self.env["ecrm.level"], 3)],
        )
        self.assertFalse(in_other.search(everyone + [("ecrm_profile_id", "!=", False)]))

    def test_clv_formula(self):
        customer = self._customer()
        # two orders of 100 within the 365-day window, last one today
        self._order(customer, 100, self.TODAY - timedelta(days=30))
        self._order(customer, 100, self.TODAY)
        self._recompute_all()
        # an active customer: 200 + 100 × 2 orders/year × 3 years
        with freeze_time(self.TODAY):
            self.assertEqual(customer.ecrm_churn_risk, 0)
        self.assertAlmostEqual(customer.ecrm_clv, 200 + 100 * 2 * 3, places=2)

    def test_clv_halved_at_risk_and_gone_once_churned(self):
        customer = self._customer()
        self._order(customer, 100, self.TODAY - timedelta(days=30))
        self._order(customer, 100, self.TODAY)
        # usual interval 30 days: at risk after 60 days without an order
        self._recompute_all(self.TODAY + timedelta(days=60))
        self.assertEqual(customer.ecrm_lifecycle_stage, "at_risk")
        self.assertAlmostEqual(customer.ecrm_clv, 200 + 100 * 2 * 3 * 0.5, places=2)
        self._recompute_all(self.TODAY + timedelta(days=365))
        self.assertEqual(customer.ecrm_lifecycle_stage, "churned")
        self.assertAlmostEqual(customer.ecrm_clv, 200, places=2)

    def test_search_by_recency(self):
        recent, lapsed = self._customer("Recent"), self._customer("Lapsed")
        self._order(recent, 100, self.TODAY - timedelta(days=10))
        self._order(lapsed, 100, self.TODAY - timedelta(days=50))
        self._recompute_all()
        with freeze_time(self.TODAY):
            found = self.env["res.partner"].search(
                [("id", "in", (recent | lapsed).ids), ("ecrm_recency_days", ">", 30)]
            )
            self.assertEqual(found, lapsed)
            self.assertEqual(lapsed.ecrm_recency_days, 50)
            with self.assertRaises(UserError):
                self.env["res.partner"].search([("ecrm_recency_days", ">", "soon")])

    def test_incremental_equals_full_recompute(self):
        rng = random.Random(42)
        customers = [self._customer(f"R{n}") for n in range(12)]
        for _i in range(40):
            self._order(
                rng.choice(customers),
                rng.randint(10, 2000),
                self.TODAY - timedelta(days=rng.randint(0, 700)),
                product=rng.choice(self.products),
                pricelist=rng.choice([self.eur_pricelist, self.usd_pricelist]),
            )
        self._recompute_all()
        touched = self.env["res.partner"].browse(c.id for c in rng.sample(customers, 4))
        for customer in touched:
            self._order(
                customer,
                rng.randint(10, 2000),
                self.TODAY - timedelta(days=rng.randint(0, 30)),
                product=rng.choice(self.products),
            )
        fields = [
            "ecrm_last_order_date",
            "ecrm_recency_days",
            "ecrm_frequency",
            "ecrm_monetary",
            "ecrm_clv",
            "ecrm_lifecycle_stage",
        ]
        with freeze_time(self.TODAY):
            touched._ecrm_recompute()
            incremental = touched.read(fields)
        self._recompute_all()
        with freeze_time(self.TODAY):
            self.assertEqual(touched.read(fields), incremental)

    def test_order_update_costs_constant_queries(self):
        customer = self._customer()
        self._order(customer, 100, self.TODAY - timedelta(days=40))
        order = self._order(customer, 100, self.TODAY - timedelta(days=5))
        self._recompute_all()

        def order_update_cost():
            self.env.invalidate_all()
            fresh = self.env["sale.order"].browse(order.id)
            with freeze_time(self.TODAY):
                before = self.cr.sql_log_count
                # what confirming or cancelling an order adds for the eCRM
                fresh._ecrm_recompute_customers()
                return self.cr.sql_log_count - before

        order_update_cost()  # fills the registry's caches
        costs = [order_update_cost()]
        for n in range(30):
            self._order(self._customer(f"Other {n}"), 50 + n, self.TODAY)
        self._recompute_all()
        costs.append(order_update_cost())
        self.assertEqual(costs, [QUERIES_PER_ORDER_UPDATE] * 2)


@tagged("post_install", "-at_install")
class TestRefunds(TransactionCase):
    """Refunds are deducted from the monetary value and the CLV (a company
    with accounting: the main one)."""

    def test_refund_reduces_the_monetary_value(self):
        customer = self.env["res.partner"].create({"name": "Refunded"})
        product = self.env["product.product"].create(
            {"name": "Refundable", "type": "service", "taxes_id": False}
        )
        order = self.env["sale.order"].create(
            {
                "partner_id": customer.id,
                "order_line": [
                    Command.create(
                        {"product_id": product.id, "price_unit": 1000, "tax_id": False}
                    )
                ],
            }
        )
        order.action_confirm()
        self.assertEqual(customer.ecrm_monetary, 1000)
        # a credit note of the order's invoice (the engine deducts only those:
        # ecrm_core 18.0.1.3.0), for part of it
        invoice = order._create_invoices()
        invoice.action_post()
        refund = invoice._reverse_moves(
            # the engine's day is the company's
            [
                {
                    "invoice_date": self.env["ecrm.profile.engine"]._ecrm_today(
                        order.company_id
                    )
                }
            ]
        )
        refund.invoice_line_ids.price_unit = 300
        refund.action_post()
        customer._ecrm_recompute()
        self.assertEqual(customer.ecrm_monetary, 700)
        self.assertEqual(customer.ecrm_profile_id.monetary, 700)
