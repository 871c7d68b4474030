# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models

ACK_LIMIT = 3  # default automatic acknowledgements per sender and hour
TEAM_ACK_LIMIT = 100  # default automatic acknowledgements per team and hour


class HelpdeskTicketTeam(models.Model):
    _inherit = "helpdesk.ticket.team"

    resource_calendar_id = fields.Many2one(
        "resource.calendar",
        string="Working hours",
        default=lambda self: self.env.company.resource_calendar_id,
        help="SLA deadlines of the team's tickets are counted in these working "
        "hours, leaves and public holidays excluded.",
    )
    ecrm_sla_at_risk_percent = fields.Integer(
        string="SLA at risk at (%)",
        default=80,
        help="A ticket is at risk once this share of its first-response time "
        "has passed without an answer.",
    )
    ecrm_ack_limit_per_hour = fields.Integer(
        string="Acknowledgements per sender and hour",
        default=ACK_LIMIT,
        help="At most this many automatic acknowledgements go to one sender "
        "address within an hour (mail loop protection).",
    )
    ecrm_ack_team_limit_per_hour = fields.Integer(
        string="Acknowledgements per hour",
        default=TEAM_ACK_LIMIT,
        help="At most this many automatic acknowledgements go out for the "
        "team's tickets within an hour, whoever the senders are: senders "
        "forged one by one cannot turn the autoresponder into a mass mailer.",
    )
    ecrm_ack_quote_unknown = fields.Boolean(
        string="Quote the request to unknown senders",
        help="By default the acknowledgement to a sender who is not a known "
        "contact repeats neither the subject nor the sender's name: a forged "
        "sender cannot make it carry their text. Tick to quote them anyway.",
    )

    _sql_constraints = [
        (
            "ecrm_sla_at_risk_percent_range",
            "CHECK(ecrm_sla_at_risk_percent BETWEEN 1 AND 100)",
            "The SLA at-risk threshold is a percentage between 1 and 100.",
        ),
        (
            "ecrm_ack_limit_per_hour_positive",
            "CHECK(ecrm_ack_limit_per_hour >= 0)",
            "The acknowledgement limit cannot be negative.",
        ),
        (
            "ecrm_ack_team_limit_per_hour_positive",
            "CHECK(ecrm_ack_team_limit_per_hour >= 0)",
            "The acknowledgement limit per hour cannot be negative.",
        ),
    ]
