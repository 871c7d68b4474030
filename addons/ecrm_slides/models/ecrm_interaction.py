# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.tools import SQL


class EcrmInteraction(models.Model):
    _inherit = "ecrm.interaction"
    _depends = {
        "res.partner": ["partner_share"],
        "slide.channel.partner": [
            "create_date",
            "partner_id",
            "channel_id",
            "member_status",
            "ecrm_completed_date",
        ],
        # Not "slide.channel": every model listed here is a document whose
        # readable records each timeline read computes, and the course's rule
        # (is_member) costs two queries; the rows' document is the membership.
    }

    channel = fields.Selection(selection_add=[("training", "Training")])
    kind = fields.Selection(
        selection_add=[
            ("course_enrolment", "Course enrolment"),
            ("course_completion", "Course completion"),
        ]
    )

    @api.model
    def _ecrm_interaction_sources(self):
        course = SQL(
            """
              FROM slide_channel_partner scp
              JOIN slide_channel sc ON sc.id = scp.channel_id
              JOIN res_partner p ON p.id = scp.partner_id
              LEFT JOIN website w ON w.id = sc.website_id
            """
        )
        name = SQL("COALESCE(sc.name->>'en_US', '')")
        return {
            **super()._ecrm_interaction_sources(),
            # A customer (not an employee) started a course (an invitation is not
            # a start) ...
            50: SQL(
                """
                SELECT scp.create_date, p.commercial_partner_id,
                       COALESCE(w.company_id, p.company_id), 'training', 'in',
                       'reactive', 'course_enrolment', 'Enrolled: ' || %(name)s,
                       'slide.channel.partner', scp.id
                %(course)s
                 WHERE scp.member_status <> 'invited' AND p.partner_share
                """,
                name=name,
                course=course,
            ),
            # ... and finished it
            51: SQL(
                """
                SELECT scp.ecrm_completed_date, p.commercial_partner_id,
                       COALESCE(w.company_id, p.company_id), 'training', 'in',
                       'reactive', 'course_completion', 'Completed: ' || %(name)s,
                       'slide.channel.partner', scp.id
                %(course)s
                 WHERE scp.ecrm_completed_date IS NOT NULL AND p.partner_share
                """,
                name=name,
                course=course,
            ),
        }
