# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.exceptions import ValidationError
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestSettings(TransactionCase):
    def setUp(self):
        super().setUp()
        self.cron = self.env.ref("ecrm_core.ir_cron_ecrm_recompute")

    def test_settings_show_and_edit_the_recompute_schedule(self):
        self.cron.write({"interval_number": 30, "interval_type": "minutes"})
        settings = self.env["res.config.settings"].create({})
        self.assertEqual(settings.ecrm_recompute_interval_number, 30)
        self.assertEqual(settings.ecrm_recompute_interval_type, "minutes")
        settings.write(
            {
                "ecrm_recompute_interval_number": 2,
                "ecrm_recompute_interval_type": "hours",
            }
        )
        settings.execute()
        self.assertEqual(
            (self.cron.interval_number, self.cron.interval_type), (2, "hours")
        )

    def test_settings_are_per_company(self):
        settings = self.env["res.config.settings"].create({"ecrm_churn_days": 200})
        settings.execute()
        self.assertEqual(self.env.company.ecrm_churn_days, 200)

    def test_bad_settings_refused(self):
        with self.assertRaises(ValidationError):
            self.env["res.config.settings"].create(
                {"ecrm_recompute_interval_number": 0}
            ).execute()
