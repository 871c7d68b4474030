# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import re
from datetime import timedelta
from unittest.mock import patch

from odoo.exceptions import ValidationError
from odoo.modules.migration import load_script
from odoo.tests import tagged
from odoo.tools import SQL, mute_logger

from odoo.addons.ecrm_loyalty.models import ecrm_coupon_engine
from odoo.addons.ecrm_loyalty.models.ecrm_coupon_engine import CODE_ALPHABET

from .common import LoyaltyCase


@tagged("post_install", "-at_install")
class TestCouponRule(LoyaltyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for partner in (cls.customer_a, cls.customer_b):
            cls._stage_change(partner, "at_risk")
        cls.rule = cls._rule(name="Come back", trigger="win_back")

    def test_win_back_end_to_end(self):
        """at risk → run → coupon and queued mail → applied → redeemed → results"""
        self.assertEqual(self._preview(self.rule), 2)
        self.assertIn("Anna", self.rule.preview_sample)
        self.assertEqual(self.rule._ecrm_run(), 0)
        issues = self.rule.issue_ids
        self.assertEqual(issues.partner_id, self.customer_a | self.customer_b)
        issue = issues.filtered(lambda i: i.partner_id == self.customer_a)
        card = issue.card_id
        self.assertTrue(card.ecrm_bound)
        self.assertEqual(card.partner_id, self.customer_a)
        self.assertEqual(card.expiration_date, self.today + timedelta(days=30))
        self.assertEqual(card.company_id, self.company)
        self.assertEqual(card.points, 1)
        self.assertEqual(card.history_ids.mapped("issued"), [1.0])
        self.assertEqual(card.history_ids.description, "Come back")
        self.assertEqual(issue.period_start, self.rule._ecrm_period_start())
        self.assertEqual(issue.mail_id.state, "outgoing", "queued, never sent inline")
        self.assertIn(card.code, issue.mail_id.body_html)
        self.assertEqual(issue.mail_id.recipient_ids, self.customer_a)

        order = self._apply(self._cart(self.customer_a, self.products[0]), card.code)
        self.assertAlmostEqual(self._discount(order), 20.0)
        order.action_confirm()
        self.assertEqual(issue.order_id, order)
        self.assertTrue(issue.redeemed_date)

        results = self.rule._ecrm_results()[self.rule.id]
        self.assertEqual(results["issued"], 2)
        self.assertEqual(results["mailed"], 2)
        self.assertEqual(results["redeemed"], 1)
        self.assertEqual(results["redemption_rate"], 0.5)
        self.assertAlmostEqual(results["revenue"], 80.0)
        self.assertEqual(self.rule.result_redeemed, 1)
        # the period in the past has no issue
        before = self.today - timedelta(days=2)
        self.assertEqual(
            self.rule._ecrm_results(date_to=before)[self.rule.id]["issued"], 0
        )

        order._action_cancel()
        self.assertFalse(issue.order_id)

    def test_once_per_period(self):
        self.rule._ecrm_run()
        self.rule._ecrm_run()
        self.assertEqual(len(self.rule.issue_ids), 2)
        self.assertEqual(self._preview(self.rule), 0)
        self.assertEqual(self.rule._ecrm_period_start().toordinal() % 30, 0)

    def test_code_entropy(self):
        self.rule._ecrm_run()
        codes = self.rule.issue_ids.card_id.mapped("code")
        self.assertEqual(len(CODE_ALPHABET), 32)
        self.assertFalse(set("01IO") & set(CODE_ALPHABET))
        for code in codes:
            # 18 symbols of 5 bits: 90 bits of randomness
            self.assertRegex(code, rf"^[{re.escape(CODE_ALPHABET)}]{{18}}$")
        self.assertEqual(len(set(codes)), len(codes))

    def test_consent(self):
        """An opted-out customer gets the coupon (portal) but no email."""
        self.customer_b._ecrm_set_consent("email", "opt_out", "backend")
        # the cron's company is not the rule's: consent is read in the rule's
        main = self.env.ref("base.main_company")
        self.env.user.company_ids |= main
        self.rule.with_context(
            allowed_company_ids=[main.id, self.company.id]
        )._ecrm_run()
        issue_b = self.rule.issue_ids.filtered(
            lambda i: i.partner_id == self.customer_b
        )
        self.assertTrue(issue_b.card_id)
        self.assertFalse(issue_b.mail_id)
        self.assertEqual(self.rule._ecrm_results()[self.rule.id]["mailed"], 1)

    def test_no_template_no_mail(self):
        self.rule.mail_template_id = False
        self.rule._ecrm_run()
        self.assertFalse(self.rule.issue_ids.mail_id)

    def test_max_per_period_and_batches(self):
        self._stage_change(self.customer_c, "churned")
        self.rule.max_per_run = 2
        engine = self.env["ecrm.coupon.engine"]
        self.assertEqual(engine._ecrm_issue(self.rule, batch_size=1), (1, 1))
        self.assertEqual(engine._ecrm_issue(self.rule, batch_size=1), (1, 0))
        self.assertEqual(engine._ecrm_issue(self.rule, batch_size=1), (0, 0))
        self.assertEqual(len(self.rule.issue_ids), 2)
        self.assertEqual(self._preview(self.rule), 0)

    def test_results_wait_for_the_coupon(self):
        """A customer drawn by a run but still waiting for their coupon (the
        next batch issues it) has no issue yet (it is inserted once, with its
        coupon), is neither treated nor control yet, and is not drawn
        again."""
        self._stage_change(self.customer_c, "churned")
        self.rule.max_per_run = 2
        engine = self.env["ecrm.coupon.engine"]
        self.assertEqual(engine._ecrm_issue(self.rule, batch_size=1), (1, 1))
        self.assertEqual(len(self.rule.issue_ids), 1)
        self.assertTrue(self.rule.issue_ids.card_id)
        self.assertEqual(engine._ecrm_pending_count(self.rule), 1)
        self.assertEqual(self._preview(self.rule), 0)
        results = self.rule._ecrm_results()[self.rule.id]
        self.assertEqual((results["treated"], results["issued"]), (1, 1))
        engine._ecrm_issue(self.rule, batch_size=1)
        results = self.rule._ecrm_results()[self.rule.id]
        self.assertEqual((results["treated"], results["issued"]), (2, 2))

    def test_draw_table_readable_on_a_replica(self):
        # the rule form's preview reads the draw table in read-only requests,
        # which Odoo sends to a streaming replica: it cannot read unlogged
        # (nor temporary) tables
        self.env.cr.execute(
            "SELECT relpersistence FROM pg_class WHERE relname = 'ecrm_coupon_draw'"
        )
        self.assertEqual(self.env.cr.fetchone(), ("p",))

    def test_drawn_customer_issued_by_another_worker(self):
        """A drawn customer whose issue another worker inserted (without the
        rule's lock) in the meantime gets no second coupon nor mail."""
        self.rule.max_per_run = 2
        engine = self.env["ecrm.coupon.engine"]
        self.assertEqual(engine._ecrm_issue(self.rule, batch_size=1), (1, 1))
        waiting = (self.customer_a | self.customer_b) - self.rule.issue_ids.partner_id
        other = self.env["ecrm.coupon.issue"].create(
            {
                "rule_id": self.rule.id,
                "partner_id": waiting.id,
                "company_id": self.company.id,
                "period_start": self.rule._ecrm_period_start(),
            }
        )
        cards = self.env["loyalty.card"].search([("partner_id", "=", waiting.id)])
        mails = self.env["mail.mail"].search([("model", "=", "loyalty.card")])
        with mute_logger("odoo.addons.ecrm_loyalty.models.ecrm_coupon_engine"):
            self.assertEqual(engine._ecrm_issue(self.rule, batch_size=1), (0, 0))
        self.assertEqual(
            self.rule.issue_ids.filtered(lambda i: i.partner_id == waiting), other
        )
        self.assertFalse(other.card_id)
        self.assertEqual(
            self.env["loyalty.card"].search([("partner_id", "=", waiting.id)]), cards
        )
        self.assertEqual(
            self.env["mail.mail"].search([("model", "=", "loyalty.card")]), mails
        )

    def test_audience_filters(self):
        self.env["ecrm.profile"].search(
            [("partner_id", "=", self.customer_a.id)]
        ).level_id = self.level_centred
        self.rule.level_ids = self.level_centred
        self.assertEqual(self._preview(self.rule), 1)
        self.rule.level_ids = False
        self.rule.audience_domain = f"[('id', '=', {self.customer_b.id})]"
        self.assertEqual(self._preview(self.rule), 1)
        self.rule.audience_domain = "[]"
        Tag = self.env["ecrm.audience.tag"]
        champions = Tag.search(
            [("kind", "=", "rfm_segment"), ("code", "=", "champions")]
        )
        self.rule.rfm_segment_ids = champions
        self.assertEqual(self._preview(self.rule), 0)
        self.env["ecrm.profile"].search(
            [("partner_id", "=", self.customer_b.id)]
        ).rfm_segment = "champions"
        self.assertEqual(self._preview(self.rule), 1)
        at_risk, churned = (
            Tag.search([("kind", "=", "lifecycle_stage"), ("code", "=", code)])
            for code in ("at_risk", "churned")
        )
        self.rule.lifecycle_stage_ids = churned
        self.assertEqual(self._preview(self.rule), 0)
        self.rule.lifecycle_stage_ids = at_risk | churned
        self.assertEqual(self._preview(self.rule), 1)
        # a segment is not a stage
        with self.assertRaises(ValidationError):
            self.rule.lifecycle_stage_ids = champions
        with self.assertRaises(ValidationError):
            self.rule.audience_domain = "[('no_such_field', '=', 1)]"

    def test_migration_of_comma_separated_audiences(self):
        """18.0.1.4.0: the text columns of the stages and segments become
        the rule's tags; the filter is read as the rule's last writer."""
        cr = self.env.cr
        self.env.flush_all()
        cr.execute(
            "ALTER TABLE ecrm_coupon_rule ADD COLUMN lifecycle_stages varchar,"
            " ADD COLUMN rfm_segments varchar"
        )
        cr.execute(
            "UPDATE ecrm_coupon_rule SET lifecycle_stages = 'retention, at_risk',"
            " rfm_segments = 'loyal', audience_uid = NULL WHERE id = %s",
            [self.rule.id],
        )
        for step in ("pre", "post"):
            script = load_script(
                f"ecrm_loyalty/migrations/18.0.1.4.0/{step}-migrate.py", step
            )
            script.migrate(cr, "18.0.1.3.1")
        self.rule.invalidate_recordset()
        self.assertEqual(
            self.rule.lifecycle_stage_ids.mapped("code"), ["retention", "at_risk"]
        )
        self.assertEqual(self.rule.rfm_segment_ids.mapped("code"), ["loyal"])
        self.assertEqual(self.rule.audience_uid, self.rule.write_uid)
        cr.execute(
            "SELECT count(*) FROM information_schema.columns"
            " WHERE table_name = 'ecrm_coupon_rule' AND column_name ~ 'stages|segments'"
        )
        self.assertEqual(cr.fetchone()[0], 0)

    def test_audience_tags_are_the_core_values(self):
        """One tag per lifecycle stage and RFM segment of the core."""
        Tag = self.env["ecrm.audience.tag"]
        Profile = self.env["ecrm.profile"]
        for kind in ("lifecycle_stage", "rfm_segment"):
            self.assertEqual(
                Tag.search([("kind", "=", kind)]).mapped("code"),
                [code for code, _label in Profile._fields[kind].selection],
            )

    def test_failure_skips_one_customer(self):
        """A customer whose coupon cannot be created is logged and skipped."""
        cards_values = type(self.env["ecrm.coupon.engine"])._ecrm_cards_values

        def broken(engine, rule, products, today):
            values_list = cards_values(engine, rule, products, today)
            for values in values_list:
                if values["partner_id"] == self.customer_b.id:
                    values["code"] = False  # NOT NULL: the database refuses it
            return values_list

        with (
            patch.object(
                type(self.env["ecrm.coupon.engine"]), "_ecrm_cards_values", broken
            ),
            self.assertLogs(
                "odoo.addons.ecrm_loyalty.models.ecrm_coupon_engine", "ERROR"
            ),
            mute_logger("odoo.sql_db"),
        ):
            self.rule._ecrm_run()
        self.assertEqual(self.rule.issue_ids.partner_id, self.customer_a)
        self.assertTrue(self.rule.issue_ids.card_id)

    def test_control_group(self):
        self.rule.control_percent = 50
        with patch.object(ecrm_coupon_engine, "BATCH_SIZE", 2000):
            self.rule._ecrm_run()
        issues = self.rule.issue_ids
        self.assertEqual(len(issues), 2)
        for issue in issues:
            self.assertEqual(bool(issue.card_id), not issue.is_control)

    def test_issue_created_by_the_orm_is_treated(self):
        """An issue created without is_control (NULL) counts as treated."""
        self.env["ecrm.coupon.issue"].create(
            {
                "rule_id": self.rule.id,
                "partner_id": self.customer_c.id,
                "company_id": self.company.id,
                "period_start": self.today,
            }
        )
        results = self.rule._ecrm_results()[self.rule.id]
        self.assertEqual((results["treated"], results["control"]), (1, 0))

    def test_incremental_revenue(self):
        """treated: A (coupon, spends 100); control: B and C (spend 0 and 40)"""
        self._stage_change(self.customer_c, "churned")
        self.rule._ecrm_run()
        issues = self.rule.issue_ids
        issues.filtered(lambda i: i.partner_id != self.customer_a).write(
            {"is_control": True, "card_id": False}
        )
        self._order(self.customer_a, 100.0, self.today + timedelta(days=1))
        self._order(self.customer_c, 40.0, self.today + timedelta(days=1))
        results = self.rule._ecrm_results()[self.rule.id]
        self.assertEqual((results["treated"], results["control"]), (1, 2))
        self.assertEqual(results["audience"], 3)
        # (100 / 1 - 40 / 2) * 1
        self.assertAlmostEqual(results["incremental_revenue"], 80.0)
        self.assertAlmostEqual(self.rule.result_incremental_revenue, 80.0)

    def test_cron(self):
        other = self._rule(name="Also come back", trigger="win_back")
        Rule = self.env["ecrm.coupon.rule"]
        # the cron runs the rules of every company: keep the demo ones out
        Rule.sudo().search([("id", "not in", (self.rule | other).ids)]).active = False
        progress = self.env["ir.cron.progress"].create(
            {"cron_id": self.env.ref("ecrm_loyalty.ir_cron_ecrm_coupon_rules").id}
        )
        Rule = Rule.with_context(ir_cron_progress_id=progress.id)
        Rule._ecrm_cron_run()
        self.assertEqual((progress.done, progress.remaining), (2, 1))
        self.assertFalse(other.issue_ids, "one batch per call")
        Rule._ecrm_cron_run()
        self.assertEqual((progress.done, progress.remaining), (2, 0))
        Rule._ecrm_cron_run()
        self.assertEqual((progress.done, progress.remaining), (0, 0))
        self.assertEqual(len(self.rule.issue_ids), 2)
        self.assertEqual(len(other.issue_ids), 2)

    def test_cron_goes_on_past_a_failing_rule(self):
        other = self._rule(name="Also come back", trigger="win_back")
        Rule = self.env["ecrm.coupon.rule"]
        Rule.sudo().search([("id", "not in", (self.rule | other).ids)]).active = False
        Engine = type(self.env["ecrm.coupon.engine"])
        issue = Engine._ecrm_issue

        def broken(engine, rule, *args, **kwargs):
            if rule == self.rule:
                # after some of its work: rolled back with it
                engine._ecrm_draw(
                    rule, rule._ecrm_period_start(), SQL("SELECT 1, NULL::int[]")
                )
                raise ValueError("broken rule")
            return issue(engine, rule, *args, **kwargs)

        with (
            patch.object(Engine, "_ecrm_issue", broken),
            # the broken rule's statement fails: its error is the point
            mute_logger("odoo.sql_db"),
            self.assertLogs(
                "odoo.addons.ecrm_loyalty.models.ecrm_coupon_rule", "ERROR"
            ) as logs,
        ):
            Rule._ecrm_cron_run()
        self.assertIn(f"Coupon rule {self.rule.id} failed", logs.output[0])
        self.assertEqual(len(other.issue_ids), 2)
        self.assertFalse(self.rule.issue_ids)
        self.assertFalse(self.env["ecrm.coupon.engine"]._ecrm_pending_count(self.rule))
        # the rule works again: the next call issues it
        Rule._ecrm_cron_run()
        self.assertEqual(len(self.rule.issue_ids), 2)

    def test_mail_template_of_coupons(self):
        order_template = self.env["mail.template"].create(
            {
                "name": "Not a coupon",
                "model_id": self.env.ref("sale.model_sale_order").id,
            }
        )
        with self.assertRaisesRegex(ValidationError, "model loyalty.card"):
            self.rule.mail_template_id = order_template
        with self.assertRaisesRegex(ValidationError, "model loyalty.card"):
            self._rule(trigger="win_back", mail_template_id=order_template.id)

    def test_run_button(self):
        """Run now wakes the rule's cron up and returns at once."""
        cron = self.env.ref("ecrm_loyalty.ir_cron_ecrm_coupon_rules")
        Trigger = self.env["ir.cron.trigger"]
        before = Trigger.search_count([("cron_id", "=", cron.id)])
        action = self.rule.action_run()
        self.assertEqual(action["params"]["type"], "info")
        self.assertIn("in the background", action["params"]["message"])
        self.assertEqual(Trigger.search_count([("cron_id", "=", cron.id)]), before + 1)
        self.assertFalse(self.rule.issue_ids, "nothing issued in the click")
        Rule = self.env["ecrm.coupon.rule"]
        Rule.sudo().search([("id", "!=", self.rule.id)]).active = False
        Rule._ecrm_cron_run()
        self.assertEqual(len(self.rule.issue_ids), 2)

    def test_preview_stored_and_refreshed(self):
        """The preview is counted when asked, and kept with its time."""
        self.assertFalse(self.rule.preview_date)
        self.assertEqual(self.rule.preview_count, 0)
        self.rule.action_refresh_preview()
        self.assertEqual(self.rule.preview_count, 2)
        self.assertTrue(self.rule.preview_date)
        # reading the form does not run the audience again
        self._stage_change(self.customer_c, "churned")
        self.rule.invalidate_recordset()
        with self.assertQueryCount(1):
            self.rule.read(["preview_count", "preview_sample", "preview_date"])
        self.assertEqual(self.rule.preview_count, 2)
        self.rule.action_refresh_preview()
        self.assertEqual(self.rule.preview_count, 3)
        self.assertIn("Cleo", self.rule.preview_sample)

    def test_program_type(self):
        loyalty = self.env["loyalty.program"].create(
            {"name": "Points", "program_type": "loyalty"}
        )
        with self.assertRaises(ValidationError):
            self.rule.program_id = loyalty
        with self.assertRaises(ValidationError):
            self._rule(trigger="purchase_history", program_id=self.program_order.id)

    def test_engine_hook_triggers_cron(self):
        cron = self.env.ref("ecrm_loyalty.ir_cron_ecrm_coupon_rules")
        triggers = self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)])
        self.env["ecrm.profile.engine"]._ecrm_post_run(
            self.company, [], [(self.customer_a.id, "retention", "retention")]
        )
        self.assertEqual(
            self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)]),
            triggers,
        )
        self.env["ecrm.profile.engine"]._ecrm_post_run(
            self.company, [], [(self.customer_a.id, "retention", "at_risk")]
        )
        self.assertEqual(
            self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)]),
            triggers + 1,
        )
