# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from odoo import fields
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestLevelProgress(TransactionCase):
    """The home's progress towards the next level reads that level's own
    thresholds (every one must be met, as in the engine's rule)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.level = cls.env["ecrm.level"].create(
            {
                "name": "Progress test level",
                "sequence": 999,
                "min_orders": 3000,
                "min_revenue": 400000,
                "min_tenure_days": 36000,
                "company_id": cls.company.id,
            }
        )
        cls.partner = cls.env["res.partner"].create({"name": "Progressing"})

    def profile(self, **vals):
        return (
            self.env["ecrm.profile"]
            .sudo()
            .create(
                {
                    "partner_id": self.partner.id,
                    "company_id": self.company.id,
                    "first_order_date": fields.Date.today() - timedelta(days=36001),
                    **vals,
                }
            )
        )

    def test_missing_and_percent(self):
        progress = self.level._ecrm_progress(
            self.profile(frequency=1000, monetary=100000)
        )
        self.assertEqual(len(progress["missing"]), 2)
        self.assertIn("2000 more orders", progress["missing"][0])
        self.assertIn("300,000", progress["missing"][1])
        self.assertEqual(progress["percent"], 25)  # the revenue: a quarter

    def test_met(self):
        progress = self.level._ecrm_progress(
            self.profile(frequency=5000, monetary=500000)
        )
        self.assertEqual(progress, {"missing": [], "percent": 100})

    def test_next_level_on_the_ladder(self):
        ladder = self.env["ecrm.level"].search(
            self.env["ecrm.level"]._ladder_domain(self.company), order="sequence, id"
        )
        self.assertEqual(ladder[-2]._ecrm_next_level(self.company), self.level)
        self.assertFalse(self.level._ecrm_next_level(self.company))
        self.assertEqual(
            self.env["ecrm.level"]._ecrm_next_level(self.company), ladder[0]
        )
