# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

import psycopg2

from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import LoyaltyCase


@tagged("post_install", "-at_install")
class TestCouponPredictive(LoyaltyCase):
    """Coupon audiences on the company's predictive model (ecrm_core): a
    win-back only while it can still work."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # one-time buyers who are at risk: last week and three years ago
        # (r + x = 0.24, alpha = 31 days, one year ahead: churn risk 57 % and
        # 93 %, the issue's example)
        for partner, days_ago in ((cls.customer_a, 7), (cls.customer_b, 3 * 365)):
            cls._stage_change(partner, "at_risk")
            first = cls.today - timedelta(days=days_ago)
            # as the engine writes it (the ORM would not write a 0 over the
            # empty column: the same value in its cache)
            cls.env.flush_all()
            cls.env.cr.execute(
                "UPDATE ecrm_profile SET clv_x = 0, clv_first_day = %s,"
                " clv_last_day = %s WHERE id = %s",
                [first, first, partner.ecrm_profile_ids.id],
            )
        cls.model = cls.env["ecrm.clv.model"].create(
            {
                "company_id": cls.company.id,
                "as_of": cls.today,
                "r": 0.24,
                "alpha": 31,
                "a": 0.8,
                "b": 2.4,
                "p": 6,
                "q": 4,
                "gamma": 15,
                "prediction_horizon_days": 365,
                "clv_horizon_days": 365,
            }
        )
        cls.rule = cls._rule(name="Win back while it works", trigger="win_back")

    def _use_model(self):
        self.company.sudo().ecrm_clv_model_id = self.model
        self.env["ecrm.profile.engine"]._ecrm_clv_curve(self.company)

    def test_win_back_while_it_can_still_work(self):
        self._use_model()
        self.rule.churn_risk_max = 80
        self.rule.action_refresh_preview()
        self.assertEqual(self.rule.preview_count, 1)
        self.assertIn("Anna", self.rule.preview_sample)
        # the bands count the audience without the predictive filters
        self.assertIn("o_ecrm_preview_bands", self.rule.preview_sample)
        bands = self.env["ecrm.coupon.engine"]._ecrm_preview_bands(self.rule)
        self.assertEqual(bands["churn"], [0, 0, 1, 1])  # 57 % and 93 %
        self.assertEqual(bands["p_alive"], [0, 0, 0, 2])  # one-time buyers: 1
        self.rule._ecrm_run()
        self.assertEqual(self.rule.issue_ids.partner_id, self.customer_a)

    def test_predicted_clv_and_p_alive_filters(self):
        self._use_model()
        with self.subTest("predicted CLV"):
            self.rule.predicted_clv_min = 1
            self.rule.action_refresh_preview()
            self.assertEqual(self.rule.preview_count, 2)
            self.rule.predicted_clv_min = 10**6
            self.rule.action_refresh_preview()
            self.assertEqual(self.rule.preview_count, 0)
        with self.subTest("P(alive)"):
            self.rule.predicted_clv_min = 0
            self.rule.p_alive_max = 0.5
            self.rule.action_refresh_preview()
            self.assertEqual(self.rule.preview_count, 0)

    def test_no_model_matches_no_one(self):
        self.rule.churn_risk_max = 80
        self.assertTrue(self.rule.predictive_filter)
        self.assertFalse(self.rule.has_clv_model)
        self.rule.action_refresh_preview()
        self.assertEqual(self.rule.preview_count, 0)
        self.rule.churn_risk_max = 100
        self.rule.action_refresh_preview()
        self.assertEqual(self.rule.preview_count, 2)

    @mute_logger("odoo.sql_db")
    def test_ranges_checked(self):
        for values in (
            {"churn_risk_min": 70, "churn_risk_max": 60},
            {"p_alive_max": 1.5},
            {"predicted_clv_min": -1},
        ):
            with (
                self.subTest(values=values),
                self.assertRaises(psycopg2.errors.CheckViolation),
                self.env.cr.savepoint(),
            ):
                self.rule.write(values)
                self.rule.flush_recordset()
