# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException

MODELS = (
    "ecrm.metrics.order.day",
    "ecrm.metrics.ticket.day",
    "ecrm.metrics.delivery.day",
    "ecrm.metrics.profile.day",
    "ecrm.metrics.customer.first",
    "ecrm.metrics.segment.history",
    "ecrm.metrics.return.day",
    "ecrm.metrics.cohort.day",
)


@tagged("post_install", "-at_install")
class TestAccess(HttpCase):
    """Over JSON-RPC: portal and public users reach nothing of this addon; an
    eCRM user reads the figures of their allowed companies only."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other = cls.env["res.company"].create({"name": "eCRM Metrics Other Co"})
        cls.dashboard = cls.env["ecrm.dashboard"]
        cls.dashboard._ecrm_refresh()
        new_test_user(cls.env, login="metrics_portal", groups="base.group_portal")
        new_test_user(
            cls.env,
            login="metrics_user",
            groups="base.group_user,ecrm_core.group_ecrm_user",
        )

    def call(self, model, method, *args, **kwargs):
        """The JSON-RPC answer of ``model.method``: {"result"} or {"error"}."""
        params = {
            "model": model,
            "method": method,
            "args": list(args),
            "kwargs": kwargs,
        }
        try:
            return {"result": self.make_jsonrpc_request("/web/dataset/call_kw", params)}
        except JsonRpcException as e:
            return {"error": str(e)}

    def test_portal_and_public_reach_nothing(self):
        for login in ("metrics_portal", None):
            if login:
                self.authenticate(login, login)
            else:
                self.authenticate(None, None)
            for model in MODELS:
                answer = self.call(model, "search_read", [], ["id"])
                self.assertIn("error", answer, (login, model))
            for method in ("get_kpis", "get_cohorts", "get_dashboard"):
                answer = self.call("ecrm.dashboard", method, "2025-01-01", "2025-12-31")
                self.assertIn("error", answer, (login, method))
            for method, args in (
                ("get_rfm_moves", ()),
                ("action_drilldown", ("orders",)),
            ):
                answer = self.call(
                    "ecrm.dashboard", method, *args, "2025-01-01", "2025-12-31"
                )
                self.assertIn("error", answer, (login, method))

    def test_ecrm_user_sees_allowed_companies_only(self):
        self.authenticate("metrics_user", "metrics_user")
        answer = self.call("ecrm.dashboard", "get_kpis", "2000-01-01", "2100-01-01")
        self.assertIn("result", answer)
        self.assertGreater(answer["result"]["orders"], 0)
        answer = self.call(
            "ecrm.dashboard",
            "get_kpis",
            "2000-01-01",
            "2100-01-01",
            company_ids=[self.other.id],
        )
        self.assertIn("error", answer)
        for method in ("get_dashboard", "get_cohorts"):
            answer = self.call(
                "ecrm.dashboard",
                method,
                "2000-01-01",
                "2100-01-01",
                [self.other.id],
                channels=["backend"],
            )
            self.assertIn("error", answer, method)
        answer = self.call(
            "ecrm.dashboard", "get_dashboard", "2000-01-01", "2100-01-01"
        )
        self.assertGreater(answer["result"]["kpis"]["orders"], 0)
        rows = self.call("ecrm.metrics.order.day", "search_read", [], ["company_id"])
        companies = {row["company_id"][0] for row in rows["result"]}
        self.assertTrue(companies)
        self.assertNotIn(self.other.id, companies)
