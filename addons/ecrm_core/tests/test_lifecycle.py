# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from .common import EcrmCase


@tagged("post_install", "-at_install")
class TestLifecycle(EcrmCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {
                "ecrm_acquisition_days": 90,
                "ecrm_at_risk_factor": 2.0,
                "ecrm_churn_days": 365,
                "ecrm_extension_categories": 3,
            }
        )

    def _stage_on(self, customer, days_after_today):
        self._recompute_all(self.TODAY + timedelta(days=days_after_today))
        return customer.ecrm_lifecycle_stage

    def test_prospect_has_no_profile_until_pinned(self):
        prospect = self._customer()
        self._recompute_all()
        self.assertFalse(prospect.ecrm_profile_id)
        # a prospect is in "selection", with or without a profile
        self.assertEqual(prospect.ecrm_lifecycle_stage, "selection")
        prospect._ecrm_pin_level(self.level_value.id, "Trade fair lead")
        self.assertEqual(prospect.ecrm_lifecycle_stage, "selection")
        self.assertEqual(prospect.ecrm_level_id, self.level_value)

    def test_one_time_buyer_path(self):
        customer = self._customer()
        self._order(customer, 100, self.TODAY)
        self.assertEqual(self._stage_on(customer, 10), "acquisition")
        self.assertEqual(self._stage_on(customer, 89), "acquisition")
        self.assertEqual(self._stage_on(customer, 90), "at_risk")
        self.assertEqual(self._stage_on(customer, 365), "churned")
        with freeze_time(self.TODAY + timedelta(days=365)):
            self.assertEqual(customer.ecrm_churn_risk, 100)
        history = customer.ecrm_lifecycle_history_ids.sorted("date")
        self.assertEqual(
            [(h.from_stage, h.to_stage, h.date) for h in history],
            [
                ("selection", "acquisition", self.TODAY),
                ("acquisition", "at_risk", self.TODAY + timedelta(days=90)),
                ("at_risk", "churned", self.TODAY + timedelta(days=365)),
            ],
        )
        self.assertEqual(customer.ecrm_lifecycle_date, self.TODAY + timedelta(days=365))

    def test_repeat_customer_is_retained_then_at_risk(self):
        customer = self._customer()
        for days_ago in (60, 30, 0):
            self._order(customer, 100, self.TODAY - timedelta(days=days_ago))
        # usual interval 30 days: at risk after 2 × 30 days without an order
        self.assertEqual(self._stage_on(customer, 59), "retention")
        with freeze_time(self.TODAY + timedelta(days=59)):
            self.assertEqual(customer.ecrm_churn_risk, round(59 / 60 * 100, 1))
        self.assertEqual(self._stage_on(customer, 60), "at_risk")

    def test_buying_across_categories_is_extension(self):
        customer = self._customer()
        for n, product in enumerate(self.products):
            self._order(customer, 100, self.TODAY - timedelta(days=n), product=product)
        self.assertEqual(self._stage_on(customer, 0), "extension")

    def test_upsell_line_on_a_confirmed_order_counts_at_once(self):
        customer = self._customer()
        self._order(customer, 100, self.TODAY - timedelta(days=5), self.products[0])
        order = self._order(
            customer, 100, self.TODAY - timedelta(days=2), self.products[1]
        )
        self.assertEqual(self._stage_on(customer, 0), "retention")
        with freeze_time(self.TODAY):
            order.order_line = [
                Command.create({"product_id": self.products[2].id, "price_unit": 10})
            ]
        self.assertEqual(customer.ecrm_lifecycle_stage, "extension")

    def test_full_recompute_recounts_categories_when_the_threshold_moves(self):
        customer = self._customer()
        self._order(customer, 100, self.TODAY - timedelta(days=5), self.products[0])
        self._order(customer, 100, self.TODAY - timedelta(days=2), self.products[1])
        self.assertEqual(self._stage_on(customer, 0), "retention")
        self.company.ecrm_extension_categories = 2
        self.assertEqual(self._stage_on(customer, 0), "extension")
        self.company.ecrm_extension_categories = 3
        self.assertEqual(self._stage_on(customer, 1), "retention")

    def test_a_new_order_brings_a_churned_customer_back(self):
        customer = self._customer()
        self._order(customer, 100, self.TODAY - timedelta(days=400))
        self.assertEqual(self._stage_on(customer, 0), "churned")
        self._order(customer, 100, self.TODAY + timedelta(days=1))
        self.assertEqual(customer.ecrm_lifecycle_stage, "retention")

    def test_prospects_are_searched_and_grouped_in_selection(self):
        prospect, buyer = self._customer("Prospect"), self._customer("Buyer")
        self._order(buyer, 100, self.TODAY)
        everyone = [("id", "in", (prospect | buyer).ids)]
        Partner = self.env["res.partner"]
        self.env.invalidate_all()
        self.assertEqual(
            (prospect.ecrm_lifecycle_stage, buyer.ecrm_lifecycle_stage),
            ("selection", "acquisition"),
        )
        self.assertEqual(
            Partner.search(everyone + [("ecrm_lifecycle_stage", "=", "selection")]),
            prospect,
        )
        self.assertEqual(
            Partner.search(everyone + [("ecrm_lifecycle_stage", "!=", "selection")]),
            buyer,
        )
        self.assertEqual(
            Partner.search(
                everyone
                + [("ecrm_lifecycle_stage", "in", ["selection", "acquisition"])]
            ),
            prospect | buyer,
        )
        self.assertFalse(
            Partner.search(everyone + [("ecrm_lifecycle_stage", "=", False)])
        )
        groups = dict(
            Partner._read_group(everyone, ["ecrm_lifecycle_stage"], ["__count"])
        )
        self.assertEqual(groups, {"selection": 1, "acquisition": 1})
        self.assertEqual(
            Partner.search(everyone, order="ecrm_lifecycle_stage desc"),
            prospect + buyer,
        )

    def test_moving_a_product_to_another_category_recounts_its_buyers(self):
        extra = self.env["product.product"].create(
            {
                "name": "eCRM product 1b",
                "type": "service",
                "categ_id": self.products[1].categ_id.id,
                "taxes_id": False,
            }
        )
        customer = self._customer()
        for days_ago, product in (
            (5, self.products[0]),
            (3, self.products[1]),
            (2, extra),
        ):
            self._order(customer, 100, self.TODAY - timedelta(days=days_ago), product)
        self.assertEqual(self._stage_on(customer, 0), "retention")
        with freeze_time(self.TODAY):
            extra.product_tmpl_id.categ_id = self.products[2].categ_id
        self.env.invalidate_all()
        self.assertEqual(customer.ecrm_lifecycle_stage, "extension")
        self.assertEqual(self._stage_on(customer, 0), "extension")
        with freeze_time(self.TODAY):
            extra.categ_id = self.products[1].categ_id
        self.env.invalidate_all()
        self.assertEqual(customer.ecrm_lifecycle_stage, "retention")

    def test_many_buyers_of_a_moved_product_are_left_to_the_scheduler(self):
        extra = self.env["product.product"].create(
            {
                "name": "eCRM product 1c",
                "type": "service",
                "categ_id": self.products[1].categ_id.id,
                "taxes_id": False,
            }
        )
        customer = self._customer()
        for days_ago, product in (
            (5, self.products[0]),
            (3, self.products[1]),
            (2, extra),
        ):
            self._order(customer, 100, self.TODAY - timedelta(days=days_ago), product)
        self.assertEqual(self._stage_on(customer, 0), "retention")
        cron = self.env.ref("ecrm_core.ir_cron_ecrm_recompute")
        self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]).unlink()
        with (
            patch("odoo.addons.ecrm_core.models.product_template.RECOUNT_INLINE", 0),
            freeze_time(self.TODAY),
        ):
            extra.product_tmpl_id.categ_id = self.products[2].categ_id
        self.env.invalidate_all()
        self.assertEqual(customer.ecrm_lifecycle_stage, "retention")
        self.assertTrue(self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]))
        self.assertEqual(self._stage_on(customer, 0), "extension")
