# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    ecrm_lookup_max_tries = fields.Integer(
        string="Guest lookup tries", default=5, help="Per client IP and per order."
    )
    ecrm_lookup_window_minutes = fields.Integer(
        string="Guest lookup window (minutes)", default=15
    )
    ecrm_nps_enabled = fields.Boolean(
        string="Ask the NPS question",
        help="With the rating of each delivered order: how likely the customer is "
        "to recommend the company (0-10).",
    )
    ecrm_forget_mode = fields.Selection(
        [
            ("request", "Reviewed by a manager"),
            ("immediate", "Carried out at once"),
        ],
        string="Right to be forgotten",
        default="request",
        required=True,
        help="What a customer's request to be forgotten from the portal does: "
        "an activity for the privacy officer, who checks what the law requires "
        "to keep (open orders, disputes, fraud) before running the wizard; or "
        "the erasure at once.",
    )
    ecrm_forget_user_id = fields.Many2one(
        "res.users",
        string="Privacy officer",
        domain=[("share", "=", False)],
        help="Receives the customers' requests to be forgotten; by default the "
        "first user allowed to anonymise contacts.",
    )

    _sql_constraints = [
        (
            "ecrm_lookup_bounds",
            (
                "CHECK(ecrm_lookup_max_tries BETWEEN 1 AND 1000"
                " AND ecrm_lookup_window_minutes BETWEEN 1 AND 10080)"
            ),
            "The guest lookup allows 1 to 1,000 tries in 1 minute to 7 days.",
        )
    ]
