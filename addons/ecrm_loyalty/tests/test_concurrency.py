# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from psycopg2 import errors

from odoo import SUPERUSER_ID, Command, api, fields
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger


@tagged("post_install", "-at_install")
class TestConcurrency(TransactionCase):
    """Two workers running the same rule at the same time: committed data in
    two cursors (cleaned up afterwards), as Odoo's cron tests do."""

    def setUp(self):
        super().setUp()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            partner = env["res.partner"].create(
                {"name": "Concurrent customer", "email": "twice@loyalty.example"}
            )
            company = env.ref("base.main_company")
            env["ecrm.profile"].create(
                {
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "lifecycle_stage": "churned",
                }
            )
            env["ecrm.lifecycle.history"].create(
                {
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "date": fields.Date.today() - timedelta(days=1),
                    "from_stage": "at_risk",
                    "to_stage": "churned",
                }
            )
            program = env["loyalty.program"].create(
                {
                    "name": "Concurrent coupons",
                    "program_type": "coupons",
                    "company_id": company.id,
                    "reward_ids": [Command.create({"discount": 10})],
                }
            )
            rule = env["ecrm.coupon.rule"].create(
                {
                    "name": "Concurrent win-back",
                    "trigger": "win_back",
                    "company_id": company.id,
                    "program_id": program.id,
                    "audience_domain": f"[('id', '=', {partner.id})]",
                }
            )
            self.ids = {"partner": partner.id, "program": program.id, "rule": rule.id}
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            program = env["loyalty.program"].browse(self.ids["program"])
            env["ecrm.coupon.rule"].browse(self.ids["rule"]).unlink()
            env["mail.mail"].search(
                [
                    ("model", "=", "loyalty.card"),
                    ("res_id", "in", program.coupon_ids.ids),
                ]
            ).unlink()
            program.coupon_ids.history_ids.unlink()
            program.coupon_ids.unlink()
            program.active = False
            program.unlink()
            partner = env["res.partner"].browse(self.ids["partner"])
            # histories are append-only for the ORM
            cr.execute(
                "DELETE FROM ecrm_lifecycle_history WHERE partner_id = %s", [partner.id]
            )
            env["ecrm.profile"].search([("partner_id", "=", partner.id)]).unlink()
            partner.unlink()

    def _run(self, cr):
        env = api.Environment(cr, SUPERUSER_ID, {})
        return env["ecrm.coupon.rule"].browse(self.ids["rule"])._ecrm_run()

    def _issues(self, cr):
        cr.execute(
            "SELECT count(*), count(card_id) FROM ecrm_coupon_issue WHERE rule_id = %s",
            [self.ids["rule"]],
        )
        return cr.fetchone()

    def test_two_workers_never_issue_twice(self):
        with self.registry.cursor() as cr1, self.registry.cursor() as cr2:
            self._run(cr1)
            # the second worker sees the first one's run and keeps out of it
            self._run(cr2)
            self.assertEqual(self._issues(cr2), (0, 0))
            cr1.commit()
            cr2.rollback()
            # and later runs find the customer already drawn for the period
            self._run(cr2)
            cr2.commit()
            self.assertEqual(self._issues(cr2), (1, 1))

    def test_unique_key_when_locks_are_bypassed(self):
        """Even without the advisory lock, the database keeps one issue."""
        with self.registry.cursor() as cr1, self.registry.cursor() as cr2:
            # the second worker read the audience before the first one wrote
            cr2.execute("SELECT 1 FROM ecrm_coupon_issue LIMIT 1")
            self._run(cr1)
            cr1.commit()
            cr1.execute(
                "SELECT rule_id, partner_id, company_id, period_start"
                "  FROM ecrm_coupon_issue WHERE rule_id = %s",
                [self.ids["rule"]],
            )
            row = cr1.fetchone()
            with (
                mute_logger("odoo.sql_db"),
                self.assertRaises(errors.SerializationFailure),
            ):
                cr2.execute(
                    """
                    INSERT INTO ecrm_coupon_issue
                           (rule_id, partner_id, company_id, period_start)
                    VALUES (%s, %s, %s, %s)
                        ON CONFLICT (rule_id, partner_id, period_start) DO NOTHING
                    """,
                    row,
                )
            cr2.rollback()
            self.assertEqual(self._issues(cr2), (1, 1))


@tagged("post_install", "-at_install")
class TestReferralCapConcurrency(TransactionCase):
    """Two referees' orders confirmed at the same time do not both reward a
    referrer at the cap: committed data in two cursors (cleaned up)."""

    def setUp(self):
        super().setUp()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            company = env.ref("base.main_company")
            referrer = env["res.partner"].create({"name": "Busy referrer"})
            referees = env["res.partner"].create(
                [
                    {"name": f"Referee {n}", "ecrm_referrer_id": referrer.id}
                    for n in range(2)
                ]
            )
            program = env["loyalty.program"].create(
                {
                    "name": "Concurrent referral",
                    "program_type": "coupons",
                    "company_id": company.id,
                    "reward_ids": [Command.create({"discount": 10})],
                }
            )
            rule = env["ecrm.coupon.rule"].create(
                {
                    "name": "Concurrent referral",
                    "trigger": "referral",
                    "company_id": company.id,
                    "program_id": program.id,
                }
            )
            self.cap = company.ecrm_referral_max_rewards
            company.ecrm_referral_max_rewards = 1
            self.ids = {
                "referrer": referrer.id,
                "referees": referees.ids,
                "program": program.id,
                "rule": rule.id,
                "company": company.id,
            }
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["res.company"].browse(
                self.ids["company"]
            ).ecrm_referral_max_rewards = self.cap
            referees = env["res.partner"].browse(self.ids["referees"])
            referees.ecrm_referral_reward_id = False
            env["ecrm.coupon.rule"].browse(self.ids["rule"]).unlink()
            program = env["loyalty.program"].browse(self.ids["program"])
            program.coupon_ids.history_ids.unlink()
            program.coupon_ids.unlink()
            program.active = False
            program.unlink()
            referees.unlink()
            env["res.partner"].browse(self.ids["referrer"]).unlink()

    def _reward(self, cr, index):
        env = api.Environment(cr, SUPERUSER_ID, {})
        return env["ecrm.coupon.engine"]._ecrm_reward_referrer(
            env["ecrm.coupon.rule"].browse(self.ids["rule"]),
            env["res.partner"].browse(self.ids["referees"][index]),
        )

    def _rewards(self, cr):
        cr.execute(
            "SELECT count(ecrm_referral_reward_id) FROM res_partner WHERE id = ANY(%s)",
            [self.ids["referees"]],
        )
        return cr.fetchone()[0]

    def test_two_confirmations_at_the_cap(self):
        with self.registry.cursor() as cr1, self.registry.cursor() as cr2:
            # the second confirmation's snapshot is older than the first reward
            cr2.execute("SELECT 1")
            self.assertTrue(self._reward(cr1, 0))
            cr1.commit()
            # it cannot count without the first reward: it fails to serialize
            # (Odoo retries the request) instead of rewarding a second time
            with (
                mute_logger("odoo.sql_db"),
                self.assertRaises(errors.SerializationFailure),
            ):
                self._reward(cr2, 1)
            cr2.rollback()
            # the retry counts the first reward: capped
            self.assertFalse(self._reward(cr2, 1))
            cr2.commit()
            self.assertEqual(self._rewards(cr2), 1)
