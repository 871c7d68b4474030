# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .common import EcrmCase


@tagged("post_install", "-at_install")
class TestLevel(EcrmCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Write the top of the ladder first: a level never asks less than the one below.
        cls.level_value.write({"min_revenue": 5000, "min_orders": 3, "domain": "[]"})
        cls.level_centred.write({"min_revenue": 1000, "min_orders": 0, "domain": "[]"})
        cls.level_foundational.write({"min_revenue": 0, "min_orders": 0})
        cls.company.ecrm_downgrade_grace_days = 30

    def test_rule_boundaries(self):
        exact = self._customer("Exact")
        below = self._customer("Below")
        self._order(exact, 1000, self.TODAY - timedelta(days=10))
        self._order(below, 999.99, self.TODAY - timedelta(days=10))
        self._recompute_all()
        self.assertEqual(exact.ecrm_level_id, self.level_centred)
        self.assertEqual(below.ecrm_level_id, self.level_foundational)

    def test_every_threshold_must_hold(self):
        big_once = self._customer("Big once")
        self._order(big_once, 9000, self.TODAY - timedelta(days=10))
        self._recompute_all()
        # revenue is enough for Value-added, but not the number of orders
        self.assertEqual(big_once.ecrm_level_id, self.level_centred)

    def test_extra_domain(self):
        self.level_centred.domain = "[('country_id.code', '=', 'BE')]"
        belgian = self._customer("Belgian", country_id=self.env.ref("base.be").id)
        french = self._customer("French", country_id=self.env.ref("base.fr").id)
        for customer in belgian | french:
            self._order(customer, 1500, self.TODAY - timedelta(days=10))
        self._recompute_all()
        self.assertEqual(belgian.ecrm_level_id, self.level_centred)
        self.assertEqual(french.ecrm_level_id, self.level_foundational)

    def test_upgrade_is_immediate_and_logged(self):
        customer = self._customer()
        self._order(customer, 400, self.TODAY - timedelta(days=20))
        self._recompute_all()
        self.assertEqual(customer.ecrm_level_id, self.level_foundational)
        order = self._order(customer, 700, self.TODAY)
        self.assertEqual(customer.ecrm_level_id, self.level_centred)
        self.assertEqual(order.ecrm_level_id, self.level_foundational)
        last = customer.ecrm_level_history_ids[0]
        self.assertEqual(
            (last.from_level_id, last.to_level_id, last.reason),
            (self.level_foundational, self.level_centred, "rule"),
        )
        self.assertIn("Customer-centred", customer.message_ids[0].body)

    def test_downgrade_waits_for_the_grace_period(self):
        customer = self._customer()
        self._order(customer, 1200, self.TODAY - timedelta(days=360))
        self._recompute_all()
        self.assertEqual(customer.ecrm_level_id, self.level_centred)
        # the order leaves the 365-day window after 5 days
        self._recompute_all(self.TODAY + timedelta(days=6))
        self.assertEqual(customer.ecrm_level_id, self.level_centred)
        self.assertEqual(
            customer.ecrm_level_below_since, self.TODAY + timedelta(days=6)
        )
        self._recompute_all(self.TODAY + timedelta(days=35))
        self.assertEqual(customer.ecrm_level_id, self.level_centred)
        self._recompute_all(self.TODAY + timedelta(days=36))
        self.assertEqual(customer.ecrm_level_id, self.level_foundational)
        self.assertFalse(customer.ecrm_level_below_since)
        self.assertEqual(customer.ecrm_level_history_ids[0].reason, "grace")

    def test_back_above_the_rule_resets_the_grace(self):
        customer = self._customer()
        self._order(customer, 1200, self.TODAY - timedelta(days=360))
        self._recompute_all()
        self._recompute_all(self.TODAY + timedelta(days=6))
        self.assertTrue(customer.ecrm_level_below_since)
        self._order(customer, 1000, self.TODAY + timedelta(days=10))
        self.assertFalse(customer.ecrm_level_below_since)
        self._recompute_all(self.TODAY + timedelta(days=40))
        self.assertEqual(customer.ecrm_level_id, self.level_centred)

    def test_pinned_level_is_kept(self):
        customer = self._customer()
        self._order(customer, 100, self.TODAY - timedelta(days=10))
        self._recompute_all()
        wizard = (
            self.env["ecrm.level.pin.wizard"]
            .with_context(active_ids=customer.ids)
            .create({"level_id": self.level_value.id, "reason": "Key account"})
        )
        wizard.action_pin()
        self._recompute_all()
        self.assertEqual(customer.ecrm_level_id, self.level_value)
        self.assertTrue(customer.ecrm_level_pinned)
        last = customer.ecrm_level_history_ids[0]
        self.assertEqual((last.reason, last.note), ("manual", "Key account"))
        with freeze_time(self.TODAY):
            customer.action_ecrm_unpin_level()
        self.assertEqual(customer.ecrm_level_id, self.level_foundational)

    def test_only_managers_set_levels(self):
        customer = self._customer()
        self._order(customer, 100, self.TODAY - timedelta(days=10))
        self._recompute_all()
        # may edit contacts: what stops them is the profile's protection
        user = new_test_user(
            self.env,
            login="ecrm_user",
            groups="base.group_user,base.group_partner_manager,ecrm_core.group_ecrm_user",
            company_ids=[(6, 0, self.company.ids)],
            company_id=self.company.id,
        )
        customer.with_user(user).write({"comment": "A contact they may edit"})
        with self.assertRaisesRegex(AccessError, r"\(ecrm\.profile\)"):
            customer.with_user(user).write({"ecrm_level_id": self.level_value.id})
        with self.assertRaisesRegex(AccessError, r"\(ecrm\.profile\)"):
            customer.with_user(user)._ecrm_pin_level(self.level_value.id, "no")
        with self.assertRaisesRegex(AccessError, r"\(ecrm\.profile\)"):
            customer.with_user(user).action_ecrm_unpin_level()
        self.assertEqual(customer.ecrm_level_id, self.level_foundational)

    def test_negative_threshold_refused(self):
        with self.assertRaises(ValidationError):
            self.level_centred.min_orders = -1

    def test_higher_level_asking_less_refused(self):
        with self.assertRaises(ValidationError):
            self.level_value.min_revenue = 500

    def test_reordering_into_a_non_monotonic_ladder_refused(self):
        with self.assertRaises(ValidationError):
            self.level_value.sequence = 1

    def test_invalid_domain_refused(self):
        with self.assertRaises(ValidationError):
            self.level_centred.domain = "[('no_such_field', '=', 1)]"

    def test_held_level_cannot_be_deleted_or_archived(self):
        customer = self._customer()
        self._order(customer, 1500, self.TODAY - timedelta(days=3))
        self._recompute_all()
        with self.assertRaises(UserError):
            self.level_centred.unlink()
        with self.assertRaises(UserError):
            self.level_centred.active = False
        free = self.env["ecrm.level"].create(
            {
                "name": "Unused",
                "sequence": 99,
                "min_revenue": 10**6,
                "min_orders": 9,
                "min_tenure_days": 999,
            }
        )
        free.unlink()
        self.assertFalse(free.exists())

    def test_confirming_costs_constant_queries(self):
        first, second = self._customer("First"), self._customer("Second")
        self._order(first, 10, self.TODAY - timedelta(days=9))
        self._recompute_all()

        def confirm_cost(customer):
            order = self._order(customer, 10, self.TODAY, confirm=False)
            with freeze_time(self.TODAY):
                start = self.cr.sql_log_count
                order.action_confirm()
                return self.cr.sql_log_count - start

        confirm_cost(first)  # warm the caches
        small = confirm_cost(first)
        for n in range(15):
            self._order(
                self._customer(f"More {n}"), 100 + n, self.TODAY - timedelta(days=n)
            )
        self._recompute_all()
        confirm_cost(second)
        large = confirm_cost(second)
        self.assertEqual(small, large)

    def test_tenure_of_never_refused(self):
        for name, value in (
            ("min_tenure_days", 800_000),
            ("min_rfm_score", 16),
            ("min_revenue", float("nan")),
            ("min_revenue", float("inf")),
        ):
            with self.subTest(name=name), self.assertRaises(ValidationError):
                self.level_value.write({name: value})

    @mute_logger("odoo.sql_db")
    def test_domain_failing_when_run_refused(self):
        with self.assertRaises(ValidationError):
            self.level_centred.domain = "[('id', '=', 'abc')]"
        # the transaction is still usable
        self.assertEqual(self.level_centred.domain, "[]")

    def test_histories_are_append_only(self):
        customer = self._customer()
        self._order(customer, 1500, self.TODAY - timedelta(days=3))
        histories = [
            customer.ecrm_level_history_ids,
            customer.ecrm_lifecycle_history_ids,
        ]
        for history in histories:
            self.assertEqual(len(history), 1)
            with self.assertRaises(UserError):
                history.write({"partner_id": self._customer("Other").id})
            with self.assertRaises(UserError):
                history.unlink()

    def test_ladder_checked_in_companies_the_user_cannot_see(self):
        other = self.env["res.company"].create({"name": "Other eCRM Co"})
        self.env["ecrm.level"].create(
            {
                "name": "Other's top",
                "company_id": other.id,
                "sequence": 100,
                "min_revenue": 6000,
                "min_orders": 3,
                "min_tenure_days": self.level_value.min_tenure_days,
                "min_rfm_score": self.level_value.min_rfm_score,
            }
        )
        manager = new_test_user(
            self.env,
            login="ecrm_ladder_manager",
            groups="base.group_user,ecrm_core.group_ecrm_manager",
            company_ids=[(6, 0, self.company.ids)],
            company_id=self.company.id,
        )
        # a shared level above the other company's top level, which asks more
        with self.assertRaises(ValidationError):
            self.level_value.with_user(manager).write(
                {"sequence": 200, "min_revenue": 5000}
            )

    def test_extra_condition_sees_what_its_author_sees(self):
        other = self.env["res.company"].create({"name": "Other eCRM Co"})
        manager = new_test_user(
            self.env,
            login="ecrm_domain_manager",
            groups="base.group_user,base.group_partner_manager,"
            "ecrm_core.group_ecrm_manager",
            company_ids=[(6, 0, self.company.ids)],
            company_id=self.company.id,
        )
        # a customer here whose contact card belongs to a company the
        # manager cannot see
        hidden, visible = self._customer("Hidden"), self._customer("Visible")
        for customer in hidden | visible:
            self._order(customer, 1500, self.TODAY - timedelta(days=3))
        self.env.cr.execute(
            "UPDATE res_partner SET company_id = %s WHERE id = %s",
            [other.id, hidden.id],
        )
        self.env.invalidate_all()
        self.company.ecrm_downgrade_grace_days = 0
        self.level_centred.with_user(manager).domain = "[('id', '!=', 0)]"
        self._recompute_all()
        self.assertEqual(visible.ecrm_level_id, self.level_centred)
        self.assertEqual(hidden.ecrm_level_id, self.level_foundational)

    def test_level_of_another_company_refused(self):
        other = self.env["res.company"].create({"name": "Other eCRM Co"})
        theirs = self.env["ecrm.level"].create(
            {"name": "Theirs", "company_id": other.id, "sequence": -1}
        )
        customer = self._customer()
        with self.assertRaises(UserError):
            customer._ecrm_pin_level(theirs.id, "Wrong company")
