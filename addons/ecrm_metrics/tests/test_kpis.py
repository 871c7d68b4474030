# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import datetime, time

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import MetricsCase, d

P = ("2025-03-01", "2025-03-31")  # 31 days; the previous period: 29 Jan - 28 Feb


def at(day, hour):
    return datetime.combine(d(day), time(hour))


@tagged("post_install", "-at_install")
class TestKpis(MetricsCase):
    """The contract of get_kpis / get_cohorts on a dataset computed by hand."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.a = cls._customer("Alice")
        cls.b = cls._customer("Bob")
        cls.c = cls._customer("Carla")
        cls.dco = cls._customer("Delta Trading", is_company=True)
        cls.d1 = cls._customer("Dana", parent_id=cls.dco.id)
        cls._order(cls.a, d("2025-01-10"), 100)  # cohort 2025-01
        cls._order(cls.a, d("2025-02-15"), 200)  # previous period
        cls.a_march = cls._order(cls.a, d("2025-03-05"), 300)
        cls._order(cls.a, d("2025-03-20"), 50)
        cls._order(cls.a, d("2025-03-25"), 999, state="cancel")  # not an order
        cls._order(cls.b, d("2025-02-20"), 400)  # cohort 2025-02, previous period
        cls._order(cls.b, d("2025-04-02"), 100)  # after P
        cls.c_march = cls._order(cls.c, d("2025-03-10"), 250)  # cohort 2025-03
        cls.d_march = cls._order(cls.d1, d("2025-03-15"), 150)  # customer: Delta
        # the profiles (CLV) of these customers, computed by ecrm_core's engine
        customers = cls.a | cls.b | cls.c | cls.dco
        customers.with_company(cls.company)._ecrm_recompute()
        # tickets: 4 created in P, 2 answered (4 h and 24 h), 3 with a deadline
        # that is past or answered, of which 1 answered in time
        cls.t1 = cls._ticket(
            d("2025-03-03"), time(10), at("2025-03-03", 14), at("2025-03-03", 18)
        )
        cls.t2 = cls._ticket(
            d("2025-03-04"), time(9), at("2025-03-05", 9), at("2025-03-04", 17)
        )
        cls._ticket(d("2025-03-06"), time(9), None, at("2025-03-07", 9))
        cls._ticket(d("2025-03-07"), time(9))
        cls._ticket(
            d("2025-02-20"), time(9), at("2025-02-20", 10), at("2025-02-20", 17)
        )
        # ratings answered in P: 5 on a ticket, 2 on an order -> CSAT 1/2
        cls._rating(cls.t1, 5, d("2025-03-04"))
        cls._rating(cls.a_march, 2, d("2025-03-06"))
        cls._rating(cls.t2, 4, d("2025-02-27"))  # answered before P
        cls._rating(cls.c_march, 5, d("2025-03-12"), consumed=False)  # unanswered
        # deliveries validated in P: on time, on time by its deadline, late
        cls._deliver(cls.a_march, d("2025-03-06"), d("2025-03-07"))
        cls._deliver(cls.c_march, d("2025-03-12"), d("2025-03-11"), d("2025-03-13"))
        cls._deliver(cls.d_march, d("2025-03-20"), d("2025-03-16"))

    def _expected_clv(self):
        profiles = self.env["ecrm.profile"].search(
            [
                ("company_id", "=", self.company.id),
                ("partner_id", "in", (self.a | self.c | self.dco).ids),
            ]
        )
        self.assertEqual(len(profiles), 3)
        return sum(profiles.mapped("clv")) / 3

    def test_every_figure(self):
        self.dashboard._ecrm_refresh()
        kpis = self.dashboard.get_kpis(*P)
        expected = {
            "orders": 4,
            "revenue": 750.0,
            "average_order_value": 187.5,
            "active_customers": 3,
            "new_customers": 2,
            "retention_rate": 0.5,
            "churn_rate": 0.5,
            "repeat_rate": 1 / 3,
            "clv_average": self._expected_clv(),
            "tickets": 4,
            "avg_first_response_hours": 14.0,
            "sla_met_rate": 1 / 3,
            "csat": 0.5,
            "on_time_delivery_rate": 2 / 3,
        }
        optional = {
            "nps": "ecrm.nps.answer",
            "coupons_issued": "ecrm.coupon.issue",
            "coupons_redeemed": "ecrm.coupon.issue",
            "coupon_revenue": "ecrm.coupon.issue",
            "incremental_revenue": "ecrm.coupon.issue",
        }
        self.assertEqual(set(kpis), set(expected) | set(optional))
        for key, value in expected.items():
            self.assertAlmostEqual(kpis[key], value, places=6, msg=key)
        # figures of addons that have not built their source yet are None;
        # with the source and no data in P they are empty, not missing
        self.assertIsNone(kpis["nps"])
        for key, model in optional.items():
            if key != "nps":
                self.assertEqual(kpis[key], 0 if model in self.env else None, key)

    def test_cohorts(self):
        cohorts = self.dashboard.get_cohorts("2025-01-01", "2025-04-30")
        self.assertEqual(
            cohorts,
            [
                {
                    "cohort": "2025-01",
                    "customers": 1,
                    "retention": [1.0, 1.0, 1.0, 0.0],
                },
                {"cohort": "2025-02", "customers": 1, "retention": [1.0, 0.0, 1.0]},
                {"cohort": "2025-03", "customers": 2, "retention": [1.0, 0.0]},
            ],
        )

    def test_snapshots_equal_live_figures(self):
        self.dashboard._ecrm_refresh()
        period = self.dashboard._ecrm_period(*P)
        live = self.dashboard._ecrm_live_kpis(period, self.company)
        snapshot = self.dashboard._ecrm_snapshot_kpis(period, self.company)
        self.assertTrue(snapshot)
        for key, value in snapshot.items():
            self.assertAlmostEqual(value, live[key], places=6, msg=key)

    def test_incremental_refresh_equals_full_rebuild(self):
        tables = (
            "ecrm_metrics_order_day",
            "ecrm_metrics_ticket_day",
            "ecrm_metrics_delivery_day",
        )

        def content():
            rows = {}
            for table in tables:
                self.env.cr.execute(
                    f"SELECT * FROM (SELECT date, to_jsonb(t) - 'id' - 'create_date'"
                    f" - 'write_date' FROM {table} t WHERE company_id = %s) x"
                    " ORDER BY 1, 2::text",
                    [self.company.id],
                )
                rows[table] = self.env.cr.fetchall()
            return rows

        self.dashboard._ecrm_refresh()
        # new orders, a cancellation and a ticket reply after the refresh
        self._order(self.c, d("2025-03-28"), 70)
        self._order(self.b, d("2025-03-02"), 30)
        self.c_march._action_cancel()
        self.env.cr.execute(
            "UPDATE helpdesk_ticket SET ecrm_first_response_date = %s,"
            " write_date = now() at time zone 'UTC' WHERE id = %s",
            [at("2025-03-06", 15), self.t2.id],
        )
        self.dashboard._ecrm_refresh()
        incremental = content()
        self.dashboard._ecrm_refresh(full=True)
        self.assertEqual(incremental, content())
        kpis = self.dashboard.get_kpis(*P)
        self.assertEqual(kpis["orders"], 5)
        self.assertAlmostEqual(kpis["revenue"], 750.0 - 250 + 70 + 30)

    def test_two_currencies(self):
        eur = self.env.ref("base.EUR")
        eur.active = True
        europe = self._company("eCRM Metrics Europe", eur)
        # 1 USD = 2 EUR in the rates of the company reading the figures
        self.env["res.currency.rate"].create(
            {
                "name": "2020-01-01",
                "currency_id": eur.id,
                "rate": 2.0,
                "company_id": self.company.id,
            }
        )
        self._order(self._customer("Eve"), d("2025-03-09"), 100, company=europe)
        dashboard = self.dashboard.with_context(
            allowed_company_ids=[self.company.id, europe.id]
        )
        dashboard._ecrm_refresh()
        kpis = dashboard.get_kpis(*P)
        self.assertEqual(kpis["orders"], 5)
        self.assertAlmostEqual(kpis["revenue"], 750.0 + 50.0)
        self.assertEqual(kpis["new_customers"], 3)

    def test_empty_and_one_customer(self):
        empty = self._company("eCRM Metrics Empty", self.usd)
        dashboard = self.dashboard.with_context(allowed_company_ids=[empty.id])
        kpis = dashboard.get_kpis(*P)
        for key in ("orders", "active_customers", "new_customers", "tickets"):
            self.assertEqual(kpis[key], 0, key)
        self.assertEqual(kpis["revenue"], 0.0)
        for key in (
            "average_order_value",
            "retention_rate",
            "churn_rate",
            "repeat_rate",
            "clv_average",
            "avg_first_response_hours",
            "sla_met_rate",
            "csat",
            "nps",
            "on_time_delivery_rate",
        ):
            self.assertIsNone(kpis[key], key)
        self.assertEqual(dashboard.get_cohorts(*P), [])
        self._order(self._customer("Solo"), d("2025-03-15"), 80, company=empty)
        dashboard._ecrm_refresh()
        kpis = dashboard.get_kpis(*P)
        self.assertEqual(
            (kpis["orders"], kpis["revenue"], kpis["active_customers"]), (1, 80.0, 1)
        )
        self.assertEqual((kpis["new_customers"], kpis["repeat_rate"]), (1, 0.0))
        self.assertIsNone(kpis["retention_rate"])

    def test_bad_arguments(self):
        with self.assertRaises(UserError):
            self.dashboard.get_kpis("2025-03-31", "2025-03-01")
        with self.assertRaises(UserError):
            self.dashboard.get_kpis("not a date", "2025-03-01")
        other = self.env["res.company"].create({"name": "Not allowed"})
        with self.assertRaises(UserError):
            self.dashboard.get_kpis(*P, company_ids=[other.id])

    def test_only_ecrm_users(self):
        user = self.env["res.users"].create(
            {
                "name": "Plain employee",
                "login": "plain_metrics",
                "company_id": self.company.id,
                "company_ids": [(6, 0, self.company.ids)],
                "groups_id": [(6, 0, self.env.ref("base.group_user").ids)],
            }
        )
        with self.assertRaises(AccessError):
            self.dashboard.with_user(user).get_kpis(*P)

    def test_drilldown(self):
        action = self.dashboard.action_drilldown("orders", *P)
        orders = self.env["sale.order"].search(action["domain"])
        self.assertEqual(len(orders), 4)
        action = self.dashboard.action_drilldown("active_customers", *P)
        self.assertEqual(
            self.env["res.partner"].search(action["domain"]), self.a | self.c | self.dco
        )
        action = self.dashboard.action_drilldown("on_time_delivery_rate", *P)
        self.assertEqual(len(self.env["stock.picking"].search(action["domain"])), 3)
