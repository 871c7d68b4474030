# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from psycopg2 import IntegrityError

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from odoo.addons.ecrm_core.models.ecrm_selection import (
    MAX_AT_RISK_FACTOR,
    MAX_DAYS,
    MAX_HORIZON_YEARS,
)


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

    def test_recompute_interval_is_bounded(self):
        for number, unit in ((5, "minutes"), (2, "months"), (10, "weeks")):
            with self.assertRaises(ValidationError):
                self.env["res.config.settings"].create(
                    {
                        "ecrm_recompute_interval_number": number,
                        "ecrm_recompute_interval_type": unit,
                    }
                ).execute()
        self.env["res.config.settings"].create(
            {
                "ecrm_recompute_interval_number": 15,
                "ecrm_recompute_interval_type": "minutes",
            }
        ).execute()
        self.assertEqual(self.cron.interval_number, 15)

    def test_periods_and_factors_are_bounded(self):
        company = self.env.company
        for name, value in (
            ("ecrm_window_days", 1_000_000),
            ("ecrm_window_days", 0),
            ("ecrm_downgrade_grace_days", 1_000_000),
            ("ecrm_downgrade_grace_days", -1),
            ("ecrm_acquisition_days", 1_000_000),
            ("ecrm_churn_days", 1_000_000),
            ("ecrm_extension_categories", 0),
            ("ecrm_at_risk_factor", 1e308),
            ("ecrm_at_risk_factor", 0),
            ("ecrm_at_risk_factor", float("nan")),
            ("ecrm_clv_horizon_years", float("inf")),
        ):
            with self.subTest(name=name, value=value):
                with self.assertRaises(ValidationError) as caught:
                    company.write({name: value})
                label = company._fields[name].get_description(self.env)["string"]
                self.assertIn(label, str(caught.exception))
        # through the settings form, and the database refuses them too
        with self.assertRaises(ValidationError):
            self.env["res.config.settings"].create(
                {"ecrm_window_days": 1_000_000}
            ).execute()
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            self.env.cr.execute(
                "UPDATE res_company SET ecrm_at_risk_factor = 1e308 WHERE id = %s",
                [company.id],
            )

    def test_largest_settings_still_confirm_orders(self):
        company = self.env.company
        company.write(
            {
                "ecrm_window_days": MAX_DAYS,
                "ecrm_downgrade_grace_days": MAX_DAYS,
                "ecrm_acquisition_days": MAX_DAYS,
                "ecrm_churn_days": MAX_DAYS,
                "ecrm_at_risk_factor": MAX_AT_RISK_FACTOR,
                "ecrm_clv_horizon_years": MAX_HORIZON_YEARS,
            }
        )
        self.env.ref("ecrm_core.ecrm_level_value_added").min_tenure_days = MAX_DAYS
        customer = self.env["res.partner"].create({"name": "Bounded"})
        order = self.env["sale.order"].create(
            {
                "partner_id": customer.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": self.env.ref("product.product_product_4").id,
                            "price_unit": 1e9,
                        }
                    )
                ],
            }
        )
        order.action_confirm()
        self.env["res.partner"]._ecrm_recompute_all()
        self.assertEqual(customer.ecrm_lifecycle_stage, "acquisition")
