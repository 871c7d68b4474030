# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models

PRIORITIES = [("0", "Low"), ("1", "Medium"), ("2", "High"), ("3", "Very High")]
# A year: beyond, a calendar cannot place the hours and "no SLA" is meant.
MAX_SLA_HOURS = 8760


class EcrmSlaPolicy(models.Model):
    """Resolution time of tickets; the most specific policy matching the
    ticket's level, team and priority wins (empty criteria match anything)."""

    _name = "ecrm.sla.policy"
    _description = "eCRM SLA Policy"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company)
    level_id = fields.Many2one("ecrm.level")
    team_id = fields.Many2one("helpdesk.ticket.team")
    priority = fields.Selection(PRIORITIES)
    resolution_hours = fields.Float(
        required=True, help="Working hours to resolve the ticket."
    )

    _sql_constraints = [
        (
            "resolution_hours_positive",
            f"CHECK(resolution_hours > 0 AND resolution_hours <= {MAX_SLA_HOURS})",
            f"The resolution time must be positive and at most {MAX_SLA_HOURS} hours.",
        ),
    ]

    @api.model
    def _ecrm_find(self, ticket):
        candidates = self.search(
            [
                ("company_id", "in", [ticket.company_id.id, False]),
                ("level_id", "in", [ticket.ecrm_level_id.id, False]),
                ("team_id", "in", [ticket.team_id.id, False]),
                ("priority", "in", [ticket.priority, False]),
            ]
        )
        return candidates.sorted(
            lambda policy: (
                -sum(bool(policy[f]) for f in ("level_id", "team_id", "priority")),
                policy.sequence,
                policy.id,
            )
        )[:1]
