# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import datetime, time

from odoo import SUPERUSER_ID, api
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from odoo.addons.ecrm_metrics.models.ecrm_dashboard import NO_FILTERS

from .common import MetricsCase, d

P = ("2025-03-01", "2025-03-31")  # 31 days; the previous period: 29 Jan - 28 Feb
# periods of a day to a year, starting and ending anywhere
PERIODS = (
    P,
    ("2025-03-10", "2025-03-10"),
    ("2025-02-15", "2025-03-20"),
    ("2025-03-05", "2025-04-02"),
    ("2025-01-01", "2025-12-31"),
)
SNAPSHOT_TABLES = (
    "ecrm_metrics_order_day",
    "ecrm_metrics_ticket_day",
    "ecrm_metrics_delivery_day",
    "ecrm_metrics_customer_first",
    "ecrm_metrics_order_date",
    "ecrm_metrics_return_day",
    "ecrm_metrics_cohort_day",
)


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
        # NPS answers of P: 2 promoters, 1 passive, 1 detractor -> 25
        for partner, score, day in (
            (cls.a, 10, "2025-03-06"),
            (cls.c, 9, "2025-03-12"),
            (cls.dco, 7, "2025-03-16"),
            (cls.b, 3, "2025-03-20"),
            (cls.b, 0, "2025-02-27"),  # before P
        ):
            cls.env["ecrm.nps.answer"].create(
                {
                    "partner_id": partner.id,
                    "company_id": cls.company.id,
                    "score": score,
                    "date": at(day, 11),
                }
            )
        # a 30-day coupon rule: Alice and Carla get a coupon on 1 March, Delta
        # is drawn for the control group; Alice redeems hers on 5 March; Bob's
        # coupon is of February
        cls.rule = cls._coupon_rule()
        cls.issue_a = cls._issue(cls.a, "2025-03-01", redeemed_on=cls.a_march)
        cls._issue(cls.c, "2025-03-01")
        cls._issue(cls.dco, "2025-03-01", control=True)
        cls._issue(cls.b, "2025-02-10")
        # Alice's RFM segment: new from February, loyal from 15 March
        cls.env["ecrm.metrics.segment.history"].create(
            [
                {
                    "partner_id": cls.a.id,
                    "company_id": cls.company.id,
                    "date": day,
                    "rfm_segment": segment,
                }
                for day, segment in (("2025-02-01", "new"), ("2025-03-15", "loyal"))
            ]
        )

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
        # incremental revenue: treated Alice (300 + 50 in her 30 days) and
        # Carla (250) against the control Delta (150): (600 / 2 - 150) * 2
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
            "nps": 25.0,
            "coupons_issued": 2,
            "coupons_redeemed": 1,
            "coupon_revenue": 300.0,
            "incremental_revenue": 300.0,
        }
        self.assertEqual(set(kpis), set(expected))
        for key, value in expected.items():
            self.assertAlmostEqual(kpis[key], value, places=6, msg=key)
        # the contract's positional arguments still work
        self.assertEqual(self.dashboard.get_kpis(*P, [self.company.id]), kpis)

    def test_cohorts(self):
        self.dashboard._ecrm_refresh()
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
        """With and without filters, over periods of a day to months that
        start and end anywhere: the figures read from the snapshots equal
        those computed from the sources, and so do the cohorts (two orders of
        a customer on one day included)."""
        self._set_levels_and_channels()
        self._order(self.c, d("2025-03-10"), 10)
        self._order(self.b, d("2025-01-31"), 20)
        self.dashboard._ecrm_refresh()
        periods = self._periods(*PERIODS)
        for filters in (
            {},
            # one stream of orders: the return and cohort snapshots
            {"channels": ["website"]},
            {"channels": ["backend"]},
            {"level_ids": [self.gold.id]},
            {"level_ids": [self.platinum.id]},  # no order at that level
            # several streams: read from the orders
            {"level_ids": [self.gold.id], "channels": ["website"]},
            {"level_ids": [self.gold.id, self.platinum.id], "channels": ["backend"]},
        ):
            self._assert_snapshot_is_live(
                self.company, periods, self.dashboard._ecrm_filters(**filters)
            )

    def _periods(self, *periods):
        return [self.dashboard._ecrm_period(*period) for period in periods]

    def _assert_snapshot_is_live(self, company, periods, filters=NO_FILTERS):
        """The figures and cohorts read from the snapshots equal those
        computed from the sources."""
        for period in periods:
            live = self.dashboard._ecrm_kpis(period, company, filters, False)
            snapshot = self.dashboard._ecrm_kpis(period, company, filters)
            self.assertEqual(snapshot.keys(), live.keys())
            for key, value in live.items():
                if value is None:
                    self.assertIsNone(snapshot[key], (filters, period, key))
                else:
                    self.assertAlmostEqual(
                        snapshot[key], value, 6, (filters, period, key)
                    )
            self.assertEqual(
                self.dashboard._ecrm_cohorts(period, company, filters),
                self.dashboard._ecrm_cohorts(period, company, filters, False),
                (filters, period),
            )

    def test_live_figures_before_the_first_refresh(self):
        """After the upgrade to 18.0.1.2.0 the return and cohort snapshots are
        empty and the refresh date cleared, the days of the orders still
        there: the figures are read live until the company is refreshed."""
        self.dashboard._ecrm_refresh()
        self.env.cr.execute(
            "DELETE FROM ecrm_metrics_return_day WHERE company_id = %(c)s;"
            " DELETE FROM ecrm_metrics_cohort_day WHERE company_id = %(c)s",
            {"c": self.company.id},
        )
        self.company.sudo().ecrm_metrics_refreshed_at = False
        period = self.dashboard._ecrm_period(*P)
        live = self.dashboard._ecrm_kpis(period, self.company, NO_FILTERS, False)
        self.assertEqual(self.dashboard.get_kpis(*P), live)
        self.assertEqual(live["active_customers"], 3)
        cohorts = self.dashboard._ecrm_period("2025-01-01", "2025-04-30")
        self.assertEqual(
            self.dashboard.get_cohorts("2025-01-01", "2025-04-30"),
            self.dashboard._ecrm_cohorts(cohorts, self.company, NO_FILTERS, False),
        )
        self.assertTrue(self.dashboard.get_cohorts("2025-01-01", "2025-04-30"))

    def test_filters(self):
        """Level (at confirmation, at the ticket's opening) and channel restrict
        the orders, customers and tickets; the other figures stay."""
        self._set_levels_and_channels()
        self.dashboard._ecrm_refresh()
        every = self.dashboard.get_kpis(*P)
        web = self.dashboard.get_kpis(*P, channels=["website"])
        self.assertEqual((web["orders"], web["revenue"]), (2, 550.0))
        self.assertEqual((web["active_customers"], web["new_customers"]), (2, 2))
        self.assertEqual(web["repeat_rate"], 0.0)
        self.assertIsNone(web["retention_rate"])  # no website order before P
        self.assertEqual(web["tickets"], every["tickets"])
        gold = self.dashboard.get_kpis(*P, level_ids=[self.gold.id])
        self.assertEqual((gold["orders"], gold["revenue"]), (2, 350.0))
        self.assertEqual((gold["active_customers"], gold["new_customers"]), (1, 0))
        self.assertEqual((gold["repeat_rate"], gold["retention_rate"]), (1.0, 1.0))
        self.assertEqual((gold["tickets"], gold["avg_first_response_hours"]), (1, 4.0))
        self.assertEqual(gold["sla_met_rate"], 1.0)
        for key in ("csat", "nps", "on_time_delivery_rate", "coupons_issued"):
            self.assertEqual(gold[key], every[key], key)
        self.assertEqual(
            self.dashboard.get_cohorts(
                "2025-01-01", "2025-04-30", level_ids=[self.gold.id]
            ),
            [{"cohort": "2025-01", "customers": 1, "retention": [1.0, 1.0, 1.0, 0.0]}],
        )
        action = self.dashboard.action_drilldown("orders", *P, channels=["website"])
        self.assertEqual(
            self.env["sale.order"].search(action["domain"]),
            self.a_march | self.c_march,
        )
        for bad in (
            {"channels": ["pigeon"]},
            {"level_ids": [-1]},
            {"level_ids": ["x"]},
        ):
            with self.assertRaises(UserError):
                self.dashboard.get_kpis(*P, **bad)

    def _set_levels_and_channels(self):
        """Alice's orders and the first ticket at level Gold; Alice's and
        Carla's March orders through the website, the others the backend."""
        # above the ladder, asking more than any level: nobody reaches them
        self.gold, self.platinum = self.env["ecrm.level"].create(
            [
                {
                    "name": name,
                    "company_id": self.company.id,
                    "sequence": 90 + n,
                    "min_revenue": 10**9 * (n + 1),
                    "min_orders": 10**6 * (n + 1),
                    "min_tenure_days": 36000 + n,
                }
                for n, name in enumerate(("Gold", "Platinum"))
            ]
        )
        self.env.cr.execute(
            """
            UPDATE sale_order
               SET ecrm_level_id = CASE WHEN partner_id = %s THEN %s END,
                   ecrm_channel = CASE WHEN id IN %s THEN 'website' ELSE 'backend' END
             WHERE company_id = %s
            """,
            [
                self.a.id,
                self.gold.id,
                (self.a_march.id, self.c_march.id),
                self.company.id,
            ],
        )
        self.env.cr.execute(
            "UPDATE helpdesk_ticket SET ecrm_level_id = CASE WHEN id = %s THEN %s END"
            " WHERE company_id = %s",
            [self.t1.id, self.gold.id, self.company.id],
        )
        self.env.invalidate_all()

    def _content(self, company=None):
        """The snapshots of a company, and its profiles' last order days and
        counted CLVs."""
        company = company or self.company
        rows = {}
        for table in SNAPSHOT_TABLES:
            self.env.cr.execute(
                f"SELECT to_jsonb(t) - 'id' - 'create_date' - 'write_date'"
                f" FROM {table} t WHERE company_id = %s ORDER BY 1",
                [company.id],
            )
            rows[table] = self.env.cr.fetchall()
        self.env.cr.execute(
            "SELECT partner_id, ecrm_metrics_last_date, ecrm_metrics_clv"
            " FROM ecrm_profile"
            " WHERE company_id = %s ORDER BY 1",
            [company.id],
        )
        rows["ecrm_profile"] = self.env.cr.fetchall()
        return rows

    def _written_before_the_refresh(self):
        """Every row of this test's transaction is dated from its start, as if
        written since any refresh in it: the orders, tickets, deliveries and
        profiles written so far are dated a day earlier, only those written
        next are read again by an incremental refresh."""
        for table in ("sale_order", "helpdesk_ticket", "stock_picking", "ecrm_profile"):
            self.env.cr.execute(
                f"UPDATE {table} SET write_date = write_date - interval '1 day'"
                " WHERE write_date >= now() at time zone 'UTC' - interval '1 hour'"
            )
        self.env.invalidate_all()

    def test_incremental_refresh_equals_full_rebuild(self):
        """Also in the snapshots of each channel and level: Bob's and
        Carla's changes at no level, through the backend; Alice's orders at
        Gold."""
        self.env.cr.execute("SHOW work_mem")
        work_mem = self.env.cr.fetchone()
        self._set_levels_and_channels()
        self.dashboard._ecrm_refresh()
        self._written_before_the_refresh()
        before = self._content()
        # new orders (a new customer's first), a cancellation (Carla's first
        # order moves) and a ticket reply after the refresh; Alice's April
        # order through the backend follows her March one there, and the one
        # before it, of February (not one of her last two orders): her
        # backend cohort is January's
        self._order(self.a, d("2025-04-05"), 60)
        self._order(self.c, d("2025-03-28"), 70)
        self._order(self.b, d("2025-03-02"), 30)
        self._order(self._customer("Newcomer"), d("2025-03-29"), 20)
        self.c_march._action_cancel()
        # Bob's April order confirmed again later: its day moves
        self.env.cr.execute(
            "UPDATE sale_order SET date_order = date_order + interval '18 days',"
            " write_date = now() at time zone 'UTC'"
            " WHERE partner_id = %s AND date_order >= '2025-04-01'",
            [self.b.id],
        )
        self.env.cr.execute(
            "UPDATE helpdesk_ticket SET ecrm_first_response_date = %s,"
            " write_date = now() at time zone 'UTC' WHERE id = %s",
            [at("2025-03-06", 15), self.t2.id],
        )
        self.dashboard._ecrm_refresh()
        incremental = self._content()
        self.assertNotEqual(incremental, before)
        for filters in ({"channels": ["backend"]}, {"level_ids": [self.gold.id]}):
            self._assert_snapshot_is_live(
                self.company,
                self._periods(*PERIODS),
                self.dashboard._ecrm_filters(**filters),
            )
        self.dashboard._ecrm_refresh(full=True)
        self.assertEqual(incremental, self._content())
        # the rebuild's memory was for its sorts only
        self.env.cr.execute("SHOW work_mem")
        self.assertEqual(self.env.cr.fetchone(), work_mem)
        kpis = self.dashboard.get_kpis(*P)
        self.assertEqual((kpis["orders"], kpis["new_customers"]), (6, 3))
        self.assertAlmostEqual(kpis["revenue"], 750.0 - 250 + 70 + 30 + 20)
        self.assertEqual(kpis["avg_first_response_hours"], (4 + 54) / 2)

    def test_incremental_refresh_of_orders_that_left(self):
        """Between two refreshes an order changes customer (its contact moves
        to another company), another moves to another company, a third is
        cancelled then deleted (Bob's first order: his cohort changes): the
        incremental refresh takes them out of their old customer, company
        and days. The figures equal those computed from the sources, the
        snapshots those of a rebuild."""
        other = self._company("eCRM Metrics Second Co", self.usd)
        a_late = self._order(self.a, d("2025-03-22"), 40)
        b_first = self.env["sale.order"].search(
            [("partner_id", "=", self.b.id), ("date_order", "<", "2025-03-01")]
        )
        self.assertEqual(len(b_first), 1)
        both = self.dashboard.with_context(
            allowed_company_ids=[self.company.id, other.id]
        )
        both._ecrm_refresh()
        self._written_before_the_refresh()
        echo = self._customer("Echo Ltd", is_company=True)
        self.d1.parent_id = echo
        self.env.flush_all()
        self.assertEqual(self.d_march.ecrm_commercial_partner_id, echo)
        self.env.cr.execute(
            "UPDATE sale_order SET company_id = %s,"
            " write_date = now() at time zone 'UTC' WHERE id = %s",
            [other.id, a_late.id],
        )
        b_first._action_cancel()
        b_first.unlink()
        self.env.flush_all()
        both._ecrm_refresh()
        incremental = {c: self._content(c) for c in (self.company, other)}
        periods = self._periods(*PERIODS)
        for companies in (self.company, other, self.company | other):
            self._assert_snapshot_is_live(companies, periods)
        kpis = self.dashboard.get_kpis(*P)
        self.assertEqual((kpis["orders"], kpis["active_customers"]), (4, 3))
        self.assertEqual(kpis["new_customers"], 2)  # Carla and Echo, not Delta
        self.assertEqual(kpis["retention_rate"], 1.0)  # Alice only
        self.assertEqual(both.get_kpis(*P, company_ids=[other.id])["orders"], 1)
        self.assertEqual(
            self.dashboard.get_cohorts("2025-01-01", "2025-04-30")[1],
            {"cohort": "2025-03", "customers": 2, "retention": [1.0, 0.0]},
        )
        both._ecrm_refresh(full=True)
        self.assertEqual(
            incremental, {c: self._content(c) for c in (self.company, other)}
        )

    def test_rebuild_corrects_the_snapshots(self):
        """A rebuild writes the rows that differ from the sources: a moved,
        a missing and a stray order day, a missing first order, a wrong last
        order day are corrected."""
        self.dashboard._ecrm_refresh()
        expected = self._content()
        self.env.cr.execute(
            """
            UPDATE ecrm_metrics_order_date SET date = date - 3
             WHERE order_id = %(moved)s;
            DELETE FROM ecrm_metrics_order_date WHERE order_id = %(missing)s;
            INSERT INTO ecrm_metrics_order_date (company_id, partner_id, order_id, date)
            VALUES (%(company)s, %(partner)s, -1, '2025-03-03');
            DELETE FROM ecrm_metrics_customer_first
             WHERE company_id = %(company)s AND partner_id = %(partner)s;
            UPDATE ecrm_profile SET ecrm_metrics_last_date = '2020-01-01'
             WHERE company_id = %(company)s;
            """,
            {
                "moved": self.a_march.id,
                "missing": self.c_march.id,
                "company": self.company.id,
                "partner": self.b.id,
            },
        )
        self.assertNotEqual(self._content(), expected)
        self.dashboard._ecrm_refresh(full=True)
        self.assertEqual(self._content(), expected)

    def test_clv_of_a_profile_created_after_the_refresh(self):
        """A profile created after the refresh (the customer's orders
        unchanged) gets its last order day at the next one: the CLV average
        of the active customers counts it."""
        self.env.cr.execute(
            "DELETE FROM ecrm_profile WHERE company_id = %s AND partner_id = %s",
            [self.company.id, self.c.id],
        )
        self.env.invalidate_all()
        self.dashboard._ecrm_refresh()
        self._written_before_the_refresh()
        self.c.with_company(self.company)._ecrm_recompute()
        self.dashboard._ecrm_refresh()
        self.assertAlmostEqual(
            self.dashboard.get_kpis(*P)["clv_average"], self._expected_clv()
        )
        self._assert_snapshot_is_live(self.company, self._periods(*PERIODS))

    def test_clv_changed_after_the_refresh(self):
        """A CLV that changed since the refresh (the customer's orders
        unchanged) is counted by the next one, in every stream of orders, as
        by a rebuild."""
        self._set_levels_and_channels()
        self.dashboard._ecrm_refresh()
        self._written_before_the_refresh()
        self.env.cr.execute(
            "UPDATE ecrm_profile SET clv = clv + 1000,"
            " write_date = now() at time zone 'UTC'"
            " WHERE company_id = %s AND partner_id IN %s",
            [self.company.id, (self.a.id, self.c.id)],
        )
        self.env.invalidate_all()
        self.dashboard._ecrm_refresh()
        self.assertAlmostEqual(
            self.dashboard.get_kpis(*P)["clv_average"], self._expected_clv()
        )
        periods = self._periods(*PERIODS)
        for filters in ({}, {"channels": ["website"]}, {"level_ids": [self.gold.id]}):
            self._assert_snapshot_is_live(
                self.company, periods, self.dashboard._ecrm_filters(**filters)
            )
        incremental = self._content()
        self.dashboard._ecrm_refresh(full=True)
        self.assertEqual(incremental, self._content())

    def test_segment_changes_of_profiles_written_since(self):
        """The refresh records the segment of the profiles written since the
        previous one when it changed."""
        self.dashboard._ecrm_refresh()
        self._written_before_the_refresh()
        profiles = self.env["ecrm.profile"].search(
            [("company_id", "=", self.company.id), ("partner_id", "=", self.c.id)]
        )
        segment = "champions" if profiles.rfm_segment != "champions" else "loyal"
        profiles.rfm_segment = segment
        self.dashboard._ecrm_refresh()
        history = self.env["ecrm.metrics.segment.history"].search(
            [("company_id", "=", self.company.id), ("partner_id", "=", self.c.id)],
            order="date desc",
            limit=1,
        )
        self.assertEqual(history.rfm_segment, segment)

    def test_refresh_reads_back_to_the_oldest_open_transaction(self):
        """A transaction open during a refresh commits its orders after it,
        with its own start as write_date: a refresh in another transaction
        (here while this test's one is open) reads again from that start."""
        self.env.cr.execute("SELECT now() at time zone 'UTC'")
        open_since = self.env.cr.fetchone()[0]
        cr = self.registry.cursor()
        try:
            env = api.Environment(cr, SUPERUSER_ID, {})
            cr.execute("SELECT now() at time zone 'UTC'")
            self.assertGreater(cr.fetchone()[0], open_since)
            self.assertLessEqual(env["ecrm.dashboard"]._ecrm_watermark(), open_since)
        finally:
            cr.rollback()
            cr.close()
        self.dashboard._ecrm_refresh()
        company = self.company.sudo()
        self.assertLessEqual(
            company.ecrm_metrics_changes_since, company.ecrm_metrics_refreshed_at
        )

    def test_refresh_skips_a_company_being_refreshed(self):
        """Another transaction refreshing the company: the refresh leaves it
        (it would wait, then work on a snapshot older than that refresh)."""
        self.env.cr.execute("SET LOCAL lock_timeout = '2s'")
        cr = self.registry.cursor()
        try:
            cr.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)", [0x65636D78, self.company.id]
            )
            self.dashboard._ecrm_refresh()
        finally:
            cr.rollback()
            cr.close()
        self.assertFalse(self.company.sudo().ecrm_metrics_refreshed_at)
        self.dashboard._ecrm_refresh()
        self.assertTrue(self.company.sudo().ecrm_metrics_refreshed_at)

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

    def test_drilldown_of_every_card(self):
        """Every KPI card and every chart opens the records it counts."""
        self.dashboard._ecrm_refresh()
        kpis = self.dashboard.get_kpis(*P)

        def records(key, value=None):
            action = self.dashboard.action_drilldown(key, *P, value=value)
            return self.env[action["res_model"]].search(action["domain"])

        self.assertEqual(records("new_customers"), self.c | self.dco)
        self.assertEqual(records("retention_rate"), self.a | self.b)
        self.assertEqual(records("coupon_revenue"), self.a_march)
        self.assertEqual(records("coupons_redeemed"), self.issue_a)
        self.assertEqual(len(records("coupons_issued")), kpis["coupons_issued"])
        self.assertEqual(len(records("coupons_issued", self.rule.id)), 2)
        self.assertEqual(len(records("nps")), 4)
        self.assertEqual(len(records("csat")), 2)
        self.assertEqual(len(records("tickets")), kpis["tickets"])
        for key in self.dashboard._ecrm_labels():
            self.assertEqual(
                self.dashboard.action_drilldown(key, *P)["type"],
                "ir.actions.act_window",
                key,
            )
        board = self.dashboard.get_dashboard(*P)
        for key, rows in (
            ("level_id", board["distribution"]["level_id"]),
            ("lifecycle_stage", board["distribution"]["lifecycle_stage"]),
            ("rfm_segment", board["distribution"]["rfm_segment"]),
            ("funnel", board["funnel"]),
        ):
            for _label, count, value in rows:
                self.assertEqual(len(records(key, value)), count, (key, value))
        for bucket in board["clv_histogram"]:
            self.assertEqual(
                len(records("clv_histogram", bucket["bucket"])), bucket["customers"]
            )
        for move in board["rfm_moves"]:
            self.assertEqual(
                len(records("rfm_move", [move["from"], move["to"]])),
                move["customers"],
            )
        for key, value in (
            ("nothing", None),
            ("rfm_move", "x"),
            ("clv_histogram", "1"),
        ):
            with self.assertRaises(UserError):
                self.dashboard.action_drilldown(key, *P, value=value)

    def test_dashboard(self):
        """The screen's data: the figures and those of the period before, the
        CLV histogram, the funnel, the RFM moves, the campaign results."""
        # the discount Alice's coupon gave: 30 off her March order
        reward = self.rule.program_id.reward_ids
        self.env["sale.order.line"].create(
            {
                "order_id": self.a_march.id,
                "product_id": reward.discount_line_product_id.id,
                "reward_id": reward.id,
                "name": "Coupon",
                "price_unit": -30,
                "tax_id": False,
            }
        )
        # before the company's first refresh: read live
        live = self.dashboard.get_dashboard(*P)
        self.dashboard._ecrm_refresh()
        board = self.dashboard.get_dashboard(*P)
        self.assertEqual(live["revenue_by_day"], board["revenue_by_day"])
        self.assertEqual(live["kpis"], board["kpis"])
        self.assertEqual(board["kpis"], self.dashboard.get_kpis(*P))
        self.assertEqual(
            board["previous"], self.dashboard.get_kpis("2025-01-29", "2025-02-28")
        )
        histogram = board["clv_histogram"]
        self.assertEqual(len(histogram), 11)
        self.assertIsNone(histogram[-1]["to"])
        self.assertEqual(
            sum(b["customers"] for b in histogram),
            self.env["ecrm.profile"].search_count(
                [("company_id", "=", self.company.id), ("clv", ">", 0)]
            ),
        )
        self.assertEqual(
            [row[2] for row in board["funnel"]],
            ["selection", "acquisition", "retention", "extension"],
        )
        self.assertEqual(
            [(m["from"], m["to"], m["customers"]) for m in board["rfm_moves"]],
            [("new", "loyal", 1)],
        )
        # Alice's 30 days: 270 + 50; Carla 250; control Delta 150
        (campaign,) = board["campaigns"]
        self.assertEqual(
            {k: campaign[k] for k in ("issued", "redeemed", "discount")},
            {"issued": 2, "redeemed": 1, "discount": 30.0},
        )
        self.assertAlmostEqual(campaign["incremental_revenue"], 270.0)
        self.assertAlmostEqual(campaign["roi"], (270.0 - 30.0) / 30.0)
