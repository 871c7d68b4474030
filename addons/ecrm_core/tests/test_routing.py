# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import tagged

from .common import DeskCase


@tagged("post_install", "-at_install")
class TestRouting(DeskCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_team = cls.env["helpdesk.ticket.team"].create(
            {"name": "Other desk", "company_id": cls.company.id}
        )
        cls.phone = cls.env.ref("helpdesk_mgmt.helpdesk_ticket_channel_phone")

    def _rule(self, **values):
        return self.env["ecrm.routing.rule"].create(
            dict({"name": "Rule", "team_id": self.team.id}, **values)
        )

    def test_channel_and_keywords_route_to_a_team(self):
        self._rule(channel_ids=[(6, 0, self.phone.ids)], priority="2")
        self._rule(sequence=20, keywords="invoice, vat", team_id=self.other_team.id)
        by_phone = self._ticket(channel_id=self.phone.id, team_id=False)
        invoice = self._ticket("Wrong VAT on my invoice", team_id=False)
        other = self._ticket("Hello", team_id=False)
        self.assertEqual((by_phone.team_id, by_phone.priority), (self.team, "2"))
        self.assertEqual(invoice.team_id, self.other_team)
        self.assertFalse(other.team_id)

    def test_level_rule(self):
        self._rule(level_ids=[(6, 0, self.level_value.ids)], team_id=self.other_team.id)
        self.customer.sudo().ecrm_level_id = self.level_centred
        self.assertEqual(self._ticket(team_id=False).team_id.id, False)
        self.customer.sudo().ecrm_level_id = self.level_value
        self.assertEqual(self._ticket(team_id=False).team_id, self.other_team)

    def test_round_robin(self):
        self._rule(assignment="round_robin")
        agents = [self._ticket(team_id=False).user_id for _n in range(3)]
        self.assertEqual(agents, [self.agent_a, self.agent_b, self.agent_a])

    def test_least_loaded(self):
        self._rule(assignment="least_loaded")
        for _n in range(2):
            self._ticket(user_id=self.agent_a.id, team_id=False)
        self.assertEqual(self._ticket(team_id=False).user_id, self.agent_b)

    def test_level_priority(self):
        self.level_value.ecrm_ticket_priority = "3"
        self.customer.sudo().ecrm_level_id = self.level_value
        self.assertEqual(self._ticket(priority="1").priority, "3")
        self.customer.sudo().ecrm_level_id = self.level_centred
        self.assertEqual(self._ticket(priority="1").priority, "1")
