# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models


class ResPartner(models.Model):
    _inherit = "res.partner"

    def _ecrm_portal_home_blocks(self):
        return [
            *super()._ecrm_portal_home_blocks(),
            {
                "key": "courses",
                "name": self.env._("Your courses"),
                "sequence": 27,
                "template": "ecrm_slides.portal_home_block_courses",
            },
        ]

    def _ecrm_slides_courses(self):
        """What "Your courses" shows to the signed-in customer (``self``: their
        commercial partner): the courses they started, with their progress;
        the published reserved courses their level opens; those it does not
        open, with the level that does. Read with sudo, restricted to the
        signed-in user's contact and to published courses."""
        self.ensure_one()
        contact = self.env.user.partner_id
        mine = (
            self.env["slide.channel.partner"]
            .sudo()
            .search(
                [
                    ("partner_id", "=", contact.id),
                    ("member_status", "!=", "invited"),
                    ("channel_id.is_published", "=", True),
                ],
                order="member_status desc, id desc",
            )
        )
        reserved = (
            self.env["slide.channel"]
            .sudo()
            .search(
                [
                    ("ecrm_level_ids", "!=", False),
                    ("is_published", "=", True),
                    ("id", "not in", mine.channel_id.ids),
                ],
                order="sequence, id",
            )
        )
        can_start = reserved.filtered(lambda course: course._ecrm_can_start(contact))
        return {
            "mine": mine,
            "open": can_start,
            "locked": [
                (course, course._ecrm_opening_levels()[:1])
                for course in reserved - can_start
            ],
        }
