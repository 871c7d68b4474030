# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import re
import threading
import time
from datetime import date, datetime, timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import SUPERUSER_ID, api
from odoo.tests import TransactionCase, tagged
from odoo.tools import SQL, mute_logger

from odoo.addons.ecrm_core.hooks import post_init_hook
from odoo.addons.ecrm_core.models.ecrm_profile_engine import LOCK_NAMESPACE

from .common import EcrmCase


@tagged("post_install", "-at_install")
class TestEngineHook(EcrmCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.level_value.write({"min_revenue": 5000, "min_orders": 3, "domain": "[]"})
        cls.level_centred.write({"min_revenue": 1000, "min_orders": 0, "domain": "[]"})
        cls.level_foundational.write({"min_revenue": 0, "min_orders": 0})

    def setUp(self):
        super().setUp()
        self.runs = []
        runs = self.runs

        def post_run(engine, company, level_changes, stage_changes):
            runs.append((company, sorted(level_changes), sorted(stage_changes)))

        self.patch(type(self.env["ecrm.profile.engine"]), "_ecrm_post_run", post_run)

    def _changes(self):
        """Level and stage changes reported since the last call, all runs."""
        levels = [change for run in self.runs for change in run[1]]
        stages = [change for run in self.runs for change in run[2]]
        self.assertEqual({run[0] for run in self.runs}, {self.company})
        self.runs.clear()
        return levels, stages

    def test_post_run_reports_level_and_stage_changes(self):
        customer = self._customer()
        self._order(customer, 400, self.TODAY - timedelta(days=20))
        self._recompute_all()
        self.assertEqual(
            self._changes(),
            (
                [(customer.id, None, self.level_foundational.id)],
                [(customer.id, "selection", "acquisition")],
            ),
        )
        # an order of the day: the incremental run reports the upgrade
        self._order(customer, 700, self.TODAY)
        self.assertEqual(
            self._changes(),
            (
                [(customer.id, self.level_foundational.id, self.level_centred.id)],
                [(customer.id, "acquisition", "retention")],
            ),
        )
        # nothing moved: the hook is still called, with nothing
        self._recompute_all()
        self.assertEqual(self.runs, [(self.company, [], [])])

    def test_first_run_classifies_without_history(self):
        """The company's first full run (the suite installed on a shop with a
        history) creates the profiles without history rows and reports no
        change: a customer gone for years did not churn that day."""
        gone, recent = self._customer("Gone"), self._customer("Recent")
        self._order(gone, 400, self.TODAY - timedelta(days=900))
        self._order(recent, 400, self.TODAY - timedelta(days=20))
        # as on a shop where the suite was just installed: orders, no profile
        for table in ("ecrm_level_history", "ecrm_lifecycle_history", "ecrm_profile"):
            self.env.cr.execute(
                SQL(
                    "DELETE FROM %s WHERE company_id = %s",
                    SQL.identifier(table),
                    self.company.id,
                )
            )
        self.company.ecrm_rfm_cuts = False
        self.env.invalidate_all()
        self.runs.clear()
        self._recompute_all()
        self.assertEqual(self._changes(), ([], []))
        customers = gone | recent
        self.assertEqual(
            customers.mapped("ecrm_lifecycle_stage"), ["churned", "acquisition"]
        )
        self.assertEqual(
            customers.mapped("ecrm_level_id"),
            self.level_foundational + self.level_foundational,
        )
        self.assertFalse(customers.ecrm_level_history_ids)
        self.assertFalse(customers.ecrm_lifecycle_history_ids)
        self.assertTrue(self.company.ecrm_rfm_cuts)
        # from then on, every change is recorded and reported
        self._order(recent, 700, self.TODAY)
        self.assertEqual(
            self._changes(),
            (
                [(recent.id, self.level_foundational.id, self.level_centred.id)],
                [(recent.id, "acquisition", "retention")],
            ),
        )
        self.assertEqual(
            recent.ecrm_lifecycle_history_ids.mapped("to_stage"), ["retention"]
        )
        self.assertEqual(recent.ecrm_level_history_ids.to_level_id, self.level_centred)


@tagged("post_install", "-at_install")
class TestEngineOrderPath(EcrmCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.engine = cls.env["ecrm.profile.engine"]
        cls.cron = cls.env.ref("ecrm_core.ir_cron_ecrm_recompute")

    def _dirty(self):
        self.env.cr.execute(
            "SELECT partner_id FROM ecrm_profile_dirty WHERE company_id = %s",
            [self.company.id],
        )
        return self.env["res.partner"].browse(row[0] for row in self.env.cr.fetchall())

    def _triggered(self):
        return self.env["ir.cron.trigger"].search([("cron_id", "=", self.cron.id)])

    def test_no_full_recompute_in_a_request(self):
        self.assertFalse(self.company.ecrm_rfm_cuts)
        full_runs = []
        run_full = type(self.engine)._ecrm_run_full

        def counting_run_full(engine, company, skip_grace):
            full_runs.append(company)
            return run_full(engine, company, skip_grace)

        self.patch(type(self.engine), "_ecrm_run_full", counting_run_full)
        self._triggered().unlink()
        customer = self._customer()
        self._order(customer, 100, self.TODAY)
        self.assertFalse(full_runs)
        # the customer has a profile already, scored by the first full run
        self.assertEqual(customer.ecrm_lifecycle_stage, "acquisition")
        self.assertFalse(customer.ecrm_r_score)
        self.assertTrue(self._triggered())
        self._recompute_all()
        self.assertEqual(full_runs, [self.company])
        self.assertEqual(customer.ecrm_r_score, 5)

    def test_a_confirmation_creates_no_temporary_table(self):
        customer = self._customer()
        self._order(customer, 100, self.TODAY - timedelta(days=9))
        self._recompute_all()
        order = self._order(customer, 100, self.TODAY, confirm=False)
        statements = []
        execute = type(self.env.cr).execute

        def recording_execute(cr, query, params=None, log_exceptions=True):
            statements.append(str(query.code if hasattr(query, "code") else query))
            return execute(cr, query, params, log_exceptions)

        with (
            freeze_time(self.TODAY),
            patch.object(type(self.env.cr), "execute", recording_execute),
        ):
            order.action_confirm()
        self.assertTrue(any("ecrm_profile" in sql for sql in statements))
        table_ddl = re.compile(r"\b(CREATE\s+TEMP|DROP\s+TABLE)", re.IGNORECASE)
        self.assertFalse([sql for sql in statements if table_ddl.search(sql)])
        self.assertEqual(customer.ecrm_order_count, 2)

    def test_install_asks_for_the_first_run(self):
        self._triggered().unlink()
        post_init_hook(self.env)
        self.assertTrue(self._triggered())

    def test_engine_error_never_fails_the_confirmation(self):
        customer = self._customer()
        self._order(customer, 100, self.TODAY - timedelta(days=10))
        self._recompute_all()

        def broken(*args, **kwargs):
            raise ValueError("engine down")

        self.patch(type(self.engine), "_ecrm_run_incremental", broken)
        with self.assertLogs("odoo.addons.ecrm_core.models.sale_order", "ERROR"):
            order = self._order(customer, 900, self.TODAY)
        self.assertEqual(order.state, "sale")
        self.assertEqual(self._dirty(), customer)

    @mute_logger("odoo.sql_db")
    def test_level_domain_failing_when_run_never_fails_the_confirmation(self):
        customer = self._customer()
        self._order(customer, 100, self.TODAY - timedelta(days=10))
        self._recompute_all()
        # stored before domains were validated by running them
        self.env.cr.execute(
            "UPDATE ecrm_level SET domain = %s WHERE id = %s",
            ["[('id', '=', 'abc')]", self.level_centred.id],
        )
        self.level_centred.invalidate_recordset(["domain"])
        with self.assertLogs("odoo.addons.ecrm_core.models.sale_order", "ERROR"):
            order = self._order(customer, 900, self.TODAY)
        self.assertEqual(order.state, "sale")
        self.assertEqual(self._dirty(), customer)

    def test_grace_cannot_be_skipped_through_the_context(self):
        self.level_centred.write({"min_revenue": 1000, "min_orders": 0})
        customer = self._customer()
        self._order(customer, 1200, self.TODAY - timedelta(days=360))
        self._recompute_all()
        self.assertEqual(customer.ecrm_level_id, self.level_centred)
        self._recompute_all(self.TODAY + timedelta(days=6))
        # an RPC caller sets the flag the unpin uses internally
        order = self._order(
            customer, 10, self.TODAY + timedelta(days=7), confirm=False
        ).with_context(ecrm_skip_grace=True)
        with freeze_time(self.TODAY + timedelta(days=7)):
            order.action_confirm()
        self.env.invalidate_all()
        self.assertEqual(customer.ecrm_level_id, self.level_centred)

    def test_days_are_the_company_s(self):
        self.company.partner_id.tz = "America/New_York"
        customer = self._customer()
        # 02:00 UTC on June 30 is still June 29 in New York
        with freeze_time("2026-06-30 02:00:00"):
            order = self._order(customer, 100, self.TODAY, confirm=False)
            order.with_context(tz="Asia/Tokyo").action_confirm()
        self.env.invalidate_all()
        self.assertEqual(customer.ecrm_first_order_date, date(2026, 6, 29))
        with freeze_time("2026-06-30 03:00:00"):
            self.env["res.partner"].with_context(tz="Asia/Tokyo")._ecrm_recompute_all()
            self.assertEqual(customer.ecrm_recency_days, 0)
        self.assertEqual(customer.ecrm_first_order_date, date(2026, 6, 29))
        self.assertEqual(customer.ecrm_lifecycle_history_ids.date, date(2026, 6, 29))


@tagged("post_install", "-at_install")
class TestEngineLock(EcrmCase):
    """A class of its own: the test transaction must not hold the company's
    engine lock yet (advisory locks last until the transaction ends)."""

    def test_confirmation_during_a_full_run_does_not_wait(self):
        customer = self._customer()
        with self.registry.cursor() as cr:
            # another transaction runs the company's full recompute
            cr.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)",
                [LOCK_NAMESPACE, self.company.id],
            )
            started = time.monotonic()
            self._order(customer, 900, self.TODAY)
            self.assertLess(time.monotonic() - started, 5)
            cr.rollback()
        self.env.invalidate_all()
        self.assertFalse(customer.ecrm_profile_id)
        self.env.cr.execute(
            "SELECT partner_id FROM ecrm_profile_dirty WHERE company_id = %s",
            [self.company.id],
        )
        self.assertEqual(self.env.cr.fetchall(), [(customer.id,)])
        # the next run picks the customer up
        self._recompute_all()
        self.assertEqual(customer.ecrm_order_count, 1)
        self.env.cr.execute(
            "SELECT partner_id FROM ecrm_profile_dirty WHERE company_id = %s",
            [self.company.id],
        )
        self.assertFalse(self.env.cr.fetchall())


@tagged("post_install", "-at_install")
class TestEngineConcurrency(TransactionCase):
    """Two transactions at once, as two workers would: committed data,
    removed at the end."""

    def _committed_customer(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            partner_id = env["res.partner"].create({"name": "Racing customer"}).id
        self.addCleanup(self._delete_committed, partner_id)
        return partner_id

    def _delete_committed(self, partner_id):
        with self.registry.cursor() as cr:
            cr.execute("DELETE FROM res_partner WHERE id = %s", [partner_id])

    @mute_logger("odoo.sql_db")
    def test_two_first_runs_of_a_customer_at_once(self):
        partner_id = self._committed_customer()
        company_id = self.env.company.id
        errors = []
        with self.registry.cursor() as cr1, self.registry.cursor() as cr2:
            env1 = api.Environment(cr1, SUPERUSER_ID, {})
            env2 = api.Environment(cr2, SUPERUSER_ID, {})
            env1["ecrm.profile"]._ecrm_recompute(env1["res.partner"].browse(partner_id))

            def second():
                try:
                    env2["ecrm.profile"]._ecrm_recompute(
                        env2["res.partner"].browse(partner_id)
                    )
                except Exception as error:  # noqa: BLE001
                    errors.append(error)

            # the second waits for the first one's new profile
            thread = threading.Thread(target=second)
            thread.start()
            thread.join(1)
            cr1.commit()
            thread.join(30)
            self.assertFalse(thread.is_alive())
            cr2.commit()
        self.assertFalse(errors)
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT count(*) FROM ecrm_profile"
                " WHERE partner_id = %s AND company_id = %s",
                [partner_id, company_id],
            )
            self.assertEqual(cr.fetchone()[0], 1)
            # the second one left the customer for the next run
            cr.execute(
                "SELECT count(*) FROM ecrm_profile_dirty WHERE partner_id = %s",
                [partner_id],
            )
            self.assertEqual(cr.fetchone()[0], 1)
            cr.execute(
                "SELECT count(*) FROM ecrm_level_history WHERE partner_id = %s",
                [partner_id],
            )
            self.assertLessEqual(cr.fetchone()[0], 1)


@tagged("post_install", "-at_install")
class TestEngineCron(EcrmCase):
    def _cron_call(self, lastcall):
        cron = self.env.ref("ecrm_core.ir_cron_ecrm_recompute")
        cron, progress = cron._add_progress()
        self.env["ecrm.profile"].with_context(
            lastcall=lastcall, ir_cron_progress_id=progress.id
        )._ecrm_cron_recompute()
        return progress

    @mute_logger("odoo.sql_db")
    def test_one_company_per_call_a_failing_one_skipped(self):
        Company = self.env["res.company"]
        bad, good = Company.create([{"name": "Bad eCRM Co"}, {"name": "Good eCRM Co"}])
        # a level whose extra condition only fails when run (written before
        # validation ran domains)
        level = self.env["ecrm.level"].create(
            {"name": "Broken", "company_id": bad.id, "sequence": -1}
        )
        self.env.cr.execute(
            "UPDATE ecrm_level SET domain = %s WHERE id = %s",
            ["[('id', '=', 'abc')]", level.id],
        )
        level.invalidate_recordset(["domain"])
        customer = self._customer()
        self._order(customer, 100, self.TODAY - timedelta(days=3))
        ran = []
        run = type(self.env["ecrm.profile.engine"])._ecrm_run

        def recording_run(engine, company, partner_ids=None, skip_grace=False):
            if partner_ids is None:
                ran.append(company)
            return run(engine, company, partner_ids, skip_grace)

        self.patch(type(self.env["ecrm.profile.engine"]), "_ecrm_run", recording_run)
        lastcall = datetime(2026, 6, 29)
        Company.search([]).ecrm_last_run = datetime(2026, 6, 28)
        companies = Company.search([])
        with (
            freeze_time(self.TODAY),
            self.assertLogs("odoo.addons.ecrm_core.models.ecrm_profile", "ERROR"),
        ):
            progress = self._cron_call(lastcall)
            self.assertEqual(
                (progress.done, progress.remaining), (1, len(companies) - 1)
            )
            # the scheduler calls again: the next company, not the first again
            for _call in range(len(companies) + 1):
                progress = self._cron_call(lastcall)
                if not progress.remaining:
                    break
        self.assertEqual(len(ran), len(companies))
        self.assertEqual(set(ran), set(companies))
        self.assertTrue(bad.ecrm_last_run_error)
        self.assertFalse(good.ecrm_last_run_error)
        self.assertEqual(customer.ecrm_lifecycle_stage, "acquisition")
        self.assertTrue(customer.ecrm_r_score)
        # nothing left in this round
        ran.clear()
        self._cron_call(lastcall)
        self.assertFalse(ran)
