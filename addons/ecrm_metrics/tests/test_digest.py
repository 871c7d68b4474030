# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import importlib.util
from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.tests import new_test_user, tagged
from odoo.tools.misc import file_path

from odoo.addons.ecrm_metrics.models.digest_digest import ECRM_DIGEST_KPIS

from .common import MetricsCase, d


def migration(name):
    """A script of this version's migration, as Odoo loads it."""
    path = file_path(f"ecrm_metrics/migrations/18.0.1.4.0/{name}.py")
    spec = importlib.util.spec_from_file_location(f"ecrm_metrics_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@tagged("post_install", "-at_install")
class TestDigest(MetricsCase):
    """The eCRM figures in Odoo's digest: computed by the KPI layer for the
    digest's period, sent to the subscribed eCRM managers (queued), left out
    for recipients who are not eCRM users; the upgrade subscribes those who
    received the former weekly digest."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        customer = cls._customer("Digest customer")
        cls._order(customer, d("2025-03-03"), 100)  # the week before
        cls._order(customer, d("2025-03-10"), 150)  # the week: 8 to 14 March
        cls._order(cls._customer("Digest newcomer"), d("2025-03-12"), 50)
        cls.dashboard._ecrm_refresh()
        cls.digest = cls.env.ref("ecrm_metrics.digest_digest_ecrm")
        managers = "base.group_user,ecrm_core.group_ecrm_manager"
        cls.manager, cls.opted_out = (
            new_test_user(
                cls.env,
                login=login,
                email=f"{login}@metrics.example",
                groups=managers,
                company_id=cls.company.id,
                company_ids=cls.company.ids,
            )
            for login in ("digest_manager", "digest_opted_out")
        )
        cls.employee = new_test_user(
            cls.env,
            login="digest_employee",
            email="digest_employee@metrics.example",
            groups="base.group_user",
            company_id=cls.company.id,
            company_ids=cls.company.ids,
        )

    def _digest_in(self, start, end, user=None):
        digest = self.digest.with_context(start_datetime=start, end_datetime=end)
        return digest.with_user(user or self.manager).with_company(self.company)

    def _mails(self, user):
        return self.env["mail.mail"].search(
            [("email_to", "ilike", user.email), ("subject", "ilike", self.digest.name)]
        )

    def test_values_are_the_dashboards_figures(self):
        """Over the complete days of the digest's period, for its company (the
        recipient's), the same figures as get_kpis; several periods read in
        turn, as the digest reads them, each get its own."""
        periods = (
            (datetime(2025, 3, 15, 6), datetime(2025, 3, 8, 6)),  # the week
            (datetime(2025, 3, 8, 6), datetime(2025, 3, 1, 6)),  # the one before
        )
        for end, start in periods * 2:
            digest = self._digest_in(start, end)
            kpis = self.dashboard.get_kpis(
                start.date(), end.date() - timedelta(days=1), [self.company.id]
            )
            for field, (key, factor) in ECRM_DIGEST_KPIS.items():
                self.assertAlmostEqual(
                    digest[field], (kpis[key] or 0) * factor, places=6, msg=field
                )
        week = self._digest_in(*reversed(periods[0]))
        self.assertEqual(week.kpi_ecrm_revenue_value, 200.0)
        self.assertEqual(week.kpi_ecrm_orders_value, 2)
        self.assertEqual(week.kpi_ecrm_new_customers_value, 1)
        self.assertEqual(week.kpi_ecrm_retention_rate_value, 100.0)

    def test_new_managers_are_subscribed(self):
        """As Odoo subscribes new employees to its default digest: a new eCRM
        manager, an employee made one; not a manager who unsubscribed when
        their groups are written again."""
        self.assertIn(self.manager, self.digest.user_ids)
        self.assertNotIn(self.employee, self.digest.user_ids)
        manager_group = self.env.ref("ecrm_core.group_ecrm_manager")
        self.employee.write({"groups_id": [Command.link(manager_group.id)]})
        self.assertIn(self.employee, self.digest.user_ids)
        self.digest.with_user(self.manager).action_unsubscribe()
        self.manager.write(
            {"groups_id": [Command.link(self.env.ref("base.group_user").id)]}
        )
        self.assertNotIn(self.manager, self.digest.user_ids)

    @freeze_time("2025-03-15 06:00:00")
    def test_subscribed_manager_receives_it(self):
        self.digest._action_unsubscribe_users(self.opted_out)
        self.digest._action_subscribe_users(self.employee)
        self.digest._action_send(update_periodicity=False)
        mail = self._mails(self.manager)
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.state, "outgoing")  # queued, not sent
        self.assertIn("eCRM Revenue", mail.body_html)
        self.assertIn("eCRM Retention (%)", mail.body_html)
        self.assertFalse(self._mails(self.opted_out))  # unsubscribed
        # an employee who is no eCRM user gets the digest without the figures
        employee_mail = self._mails(self.employee)
        self.assertEqual(len(employee_mail), 1)
        self.assertNotIn("eCRM Revenue", employee_mail.body_html)

    def test_managers_unsubscribe_themselves(self):
        self.digest.with_user(self.manager).action_unsubscribe()
        self.assertNotIn(self.manager, self.digest.user_ids)

    def test_migration_subscribes_former_recipients(self):
        """The upgrade from 18.0.1.3.0: the eCRM managers who had the former
        digest's flag are subscribed (not those who turned it off, nor users
        who are no managers); the former scheduled action and template go."""
        cr = self.env.cr
        self.digest._action_unsubscribe_users(self.digest.user_ids)
        # the former flag (default on) and records, as 18.0.1.3.0 left them
        cr.execute(
            "ALTER TABLE res_users ADD COLUMN ecrm_metrics_digest boolean DEFAULT TRUE"
        )
        cr.execute(
            "UPDATE res_users SET ecrm_metrics_digest = FALSE WHERE id = %s",
            [self.opted_out.id],
        )
        cron = self.env["ir.cron"].create(
            {
                "name": "eCRM: weekly digest to the eCRM managers",
                "model_id": self.env["ir.model"]._get_id("ecrm.dashboard"),
                "state": "code",
                "code": "model",
            }
        )
        template = self.env["mail.template"].create({"name": "eCRM: weekly digest"})
        self.env["ir.model.data"].create(
            [
                {"module": "ecrm_metrics", "name": name, "model": rec._name}
                | {"res_id": rec.id, "noupdate": True}
                for name, rec in (
                    ("ir_cron_ecrm_metrics_digest", cron),
                    ("mail_template_ecrm_digest", template),
                )
            ]
        )
        migration("pre-migrate").migrate(cr, "18.0.1.3.0")
        migration("post-migrate").migrate(cr, "18.0.1.3.0")
        self.digest.invalidate_recordset()
        self.assertIn(self.manager, self.digest.user_ids)
        self.assertNotIn(self.opted_out, self.digest.user_ids)
        self.assertNotIn(self.employee, self.digest.user_ids)
        self.assertFalse(cron.exists())
        self.assertFalse(template.exists())
        cr.execute("SELECT to_regclass('ecrm_metrics_digest_subscribers')")
        self.assertIsNone(cr.fetchone()[0])
        refresh = self.env.ref("ecrm_metrics.ir_cron_ecrm_metrics_refresh")
        self.assertEqual(refresh.model_id.model, "ecrm.metrics.engine")
