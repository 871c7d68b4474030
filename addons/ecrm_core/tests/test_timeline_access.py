# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from odoo.exceptions import AccessError
from odoo.modules.migration import load_script
from odoo.tests import new_test_user, tagged

from .common import EcrmCase


@tagged("post_install", "-at_install")
class TestTimelineAccess(EcrmCase):
    """The timeline never shows more than its sources: each row is read with
    the rights on the record it comes from, and in the companies of the user."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create({"name": "Timeline B Co"})
        cls.env.user.company_ids |= cls.company_b
        cls.customer = cls._customer("Shared Ltd", is_company=True)

        def user(login, groups, companies=cls.company):
            return new_test_user(
                cls.env,
                login=login,
                groups="base.group_user,ecrm_core.group_ecrm_user," + groups,
                company_id=cls.company.id,
                company_ids=[(6, 0, companies.ids)],
            )

        cls.ecrm_only = user("tla_ecrm", "base.group_user")
        cls.salesman = user("tla_salesman", "sales_team.group_sale_salesman")
        cls.colleague = user("tla_colleague", "sales_team.group_sale_salesman")
        cls.seller_all = user(
            "tla_seller_all",
            "sales_team.group_sale_salesman_all_leads",
            cls.company | cls.company_b,
        )
        cls.agent = user("tla_agent", "helpdesk_mgmt.group_helpdesk_user_own")

        day = cls.TODAY - timedelta(days=3)
        cls.own_order = cls._order(cls.customer, 10, day)
        cls.own_order.user_id = cls.salesman
        cls.other_order = cls._order(cls.customer, 20, day)
        cls.other_order.user_id = cls.colleague
        Ticket = cls.env["helpdesk.ticket"]
        cls.ticket = Ticket.create(
            {
                "name": "Secret complaint",
                "description": "<p>About my neighbour</p>",
                "partner_id": cls.customer.id,
                "company_id": cls.company.id,
                "user_id": cls.agent.id,
            }
        )
        cls.ticket.message_post(
            body="We are looking into it",
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        cls.unassigned_ticket = Ticket.create(
            {
                "name": "Someone else's case",
                "description": "<p>Hi</p>",
                "partner_id": cls.customer.id,
                "company_id": cls.company.id,
                "user_id": cls.salesman.id,
            }
        )
        # An email on the shared customer, sent from each company.
        for company in (cls.company, cls.company_b):
            cls.customer.with_company(company).message_post(
                body=f"Email from {company.name}",
                message_type="email",
                subtype_xmlid="mail.mt_comment",
            )
        # A customer of company B only, emailed from company A's session.
        cls.b_customer = cls._customer("B's own customer", company_id=cls.company_b.id)
        cls.b_customer.message_post(
            body="About B's customer",
            message_type="email",
            subtype_xmlid="mail.mt_comment",
        )
        cls.env["ecrm.interaction.log"].create(
            {"partner_id": cls.customer.id, "summary": "Phone call"}
        )

    def _summaries(self, user, partner=None, companies=None):
        companies = companies or self.company
        return set(
            self.env["ecrm.interaction"]
            .with_user(user)
            .with_context(allowed_company_ids=companies.ids)
            .search([("partner_id", "=", (partner or self.customer).id)])
            .mapped("summary")
        )

    def test_every_row_has_a_company(self):
        rows = self.env["ecrm.interaction"].search(
            [("partner_id", "in", (self.customer | self.b_customer).ids)]
        )
        self.assertTrue(rows)
        self.assertFalse(rows.filtered(lambda row: not row.company_id))
        emails = rows.filtered(lambda row: row.kind == "email")
        self.assertEqual(
            {(row.summary, row.company_id) for row in emails},
            {
                (f"Email from {self.company.name}", self.company),
                (f"Email from {self.company_b.name}", self.company_b),
                ("About B's customer", self.company_b),
            },
        )

    def test_user_without_helpdesk_rights_sees_no_ticket(self):
        summaries = self._summaries(self.ecrm_only)
        self.assertIn("Phone call", summaries)
        self.assertIn(f"Email from {self.company.name}", summaries)
        self.assertNotIn("We are looking into it", summaries)
        self.assertFalse([s for s in summaries if "complaint" in s or "case" in s])
        # ... nor an order without sales rights
        self.assertNotIn(self.own_order.name, summaries)

    def test_helpdesk_own_tickets_only(self):
        summaries = self._summaries(self.agent)
        self.assertIn(f"{self.ticket.number} - Secret complaint", summaries)
        self.assertIn("We are looking into it", summaries)
        self.assertNotIn(
            f"{self.unassigned_ticket.number} - Someone else's case", summaries
        )

    def test_salesman_sees_only_his_orders(self):
        summaries = self._summaries(self.salesman)
        self.assertIn(self.own_order.name, summaries)
        self.assertNotIn(self.other_order.name, summaries)
        self.assertIn(self.other_order.name, self._summaries(self.seller_all))

    def test_rows_of_other_companies_hidden(self):
        summaries = self._summaries(
            self.seller_all, companies=self.company | self.company_b
        )
        self.assertIn(f"Email from {self.company_b.name}", summaries)
        for user in (self.salesman, self.ecrm_only):
            summaries = self._summaries(user)
            self.assertIn(f"Email from {self.company.name}", summaries)
            self.assertNotIn(f"Email from {self.company_b.name}", summaries)
            self.assertFalse(self._summaries(user, self.b_customer))

    def test_forbidden_row_not_read_by_id(self):
        row = self.env["ecrm.interaction"].search(
            [("res_model", "=", "helpdesk.ticket"), ("res_id", "=", self.ticket.id)]
        )
        with self.assertRaises(AccessError):
            row.with_user(self.ecrm_only).read(["summary"])
        self.assertEqual(row.with_user(self.agent).read(["summary"])[0]["id"], row.id)

    def test_counts_and_groups_follow_the_rows(self):
        Interaction = self.env["ecrm.interaction"].with_user(self.ecrm_only)
        groups = Interaction.read_group(
            [("partner_id", "=", self.customer.id)], ["kind"], ["kind"]
        )
        self.assertEqual(
            {g["kind"]: g["kind_count"] for g in groups}, {"email": 1, "log": 1}
        )
        self.assertEqual(
            self.customer.with_user(self.ecrm_only).ecrm_interaction_count, 2
        )

    def test_timeline_of_one_customer_stays_one_query(self):
        Interaction = self.env["ecrm.interaction"].with_user(self.salesman)
        Interaction.search([("partner_id", "=", self.customer.id)])  # warm caches
        self.env.flush_all()
        with self.assertQueryCount(1):
            Interaction.search_fetch(
                [("partner_id", "=", self.customer.id)], ["date", "summary"]
            )

    def test_migration_fixes_the_rule_of_existing_databases(self):
        rule = self.env.ref("ecrm_core.ecrm_interaction_rule_company")
        rule.domain_force = (
            "['|', ('company_id', '=', False), ('company_id', 'in', company_ids)]"
        )
        script = load_script(
            "ecrm_core/migrations/18.0.1.1.0/post-access.py", "ecrm_post_access"
        )
        script.migrate(self.env.cr, "18.0.1.0.0")
        rule.invalidate_recordset()
        self.assertEqual(rule.domain_force, "[('company_id', 'in', company_ids)]")
