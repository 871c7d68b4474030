# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from odoo.tests import tagged

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
