# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models

from .ecrm_sla_policy import PRIORITIES


class EcrmRoutingRule(models.Model):
    """Sends a new ticket to a team, a priority and an agent. Rules are tried
    by sequence; the first whose criteria all match applies (empty criteria
    match anything)."""

    _name = "ecrm.routing.rule"
    _description = "eCRM Ticket Routing Rule"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company)
    channel_ids = fields.Many2many("helpdesk.ticket.channel", string="Channels")
    level_ids = fields.Many2many("ecrm.level", string="Levels")
    category_ids = fields.Many2many("helpdesk.ticket.category", string="Categories")
    keywords = fields.Char(
        help="Comma-separated words; the rule matches when the title or the "
        "description contains one of them."
    )
    team_id = fields.Many2one("helpdesk.ticket.team", required=True)
    priority = fields.Selection(PRIORITIES, help="Leave empty to keep the priority.")
    assignment = fields.Selection(
        [
            ("none", "Leave unassigned"),
            ("fixed", "A given agent"),
            ("round_robin", "Round-robin among the team"),
            ("least_loaded", "Least loaded agent of the team"),
        ],
        required=True,
        default="none",
    )
    user_id = fields.Many2one("res.users", string="Agent")
    last_user_id = fields.Many2one("res.users", readonly=True, copy=False)

    def _ecrm_matches(self, ticket):
        self.ensure_one()
        text = f"{ticket.name or ''} {ticket.description or ''}".lower()
        words = [w.strip().lower() for w in (self.keywords or "").split(",")]
        return (
            (not self.channel_ids or ticket.channel_id in self.channel_ids)
            and (not self.level_ids or ticket.ecrm_level_id in self.level_ids)
            and (not self.category_ids or ticket.category_id in self.category_ids)
            and (not any(words) or any(w and w in text for w in words))
        )

    @api.model
    def _ecrm_route(self, ticket):
        """Values to write on ``ticket`` from the first matching rule."""
        rules = self.search([("company_id", "in", [ticket.company_id.id, False])])
        rule = next((r for r in rules if r._ecrm_matches(ticket)), None)
        if not rule:
            return {}
        values = {"team_id": rule.team_id.id}
        if rule.priority:
            values["priority"] = rule.priority
        agent = rule._ecrm_pick_agent()
        if agent:
            values["user_id"] = agent.id
        return values

    def _ecrm_pick_agent(self):
        self.ensure_one()
        agents = self.team_id.user_ids.sorted("id")
        if self.assignment == "fixed":
            return self.user_id
        if not agents or self.assignment == "none":
            return self.env["res.users"]
        if self.assignment == "round_robin":
            after = agents.filtered(lambda u: u.id > self.last_user_id.id)
            agent = (after or agents)[0]
            self.sudo().last_user_id = agent
            return agent
        open_counts = dict(
            self.env["helpdesk.ticket"]._read_group(
                [("user_id", "in", agents.ids), ("closed", "=", False)],
                ["user_id"],
                ["__count"],
            )
        )
        return min(agents, key=lambda u: (open_counts.get(u, 0), u.id))
