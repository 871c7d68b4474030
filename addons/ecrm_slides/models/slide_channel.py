# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import UserError

TRAINING = "training"  # the code of the level service "Online training"


class SlideChannel(models.Model):
    """A course can be reserved to eCRM levels: a customer starts it only
    while their level is one of them and grants the *Online training*
    service. What they started stays theirs (see ``_action_add_members``)."""

    _inherit = "slide.channel"

    ecrm_level_ids = fields.Many2many(
        "ecrm.level",
        string="Reserved to eCRM levels",
        groups="base.group_user",
        help="Only customers at these levels start this course, while their "
        "level grants the Online training service; empty: Odoo's own rules.",
    )

    def _ecrm_opening_levels(self):
        """The levels that open this reserved course: its levels that grant
        the Online training service, lowest first."""
        self.ensure_one()
        return (
            self.sudo()
            .ecrm_level_ids.filtered(
                lambda level: TRAINING in level.service_ids.mapped("code")
            )
            .sorted(lambda level: (level.sequence, level.id))
        )

    def _ecrm_can_start(self, partner):
        """Whether ``partner`` may start this course: always for a course
        that is not reserved; for a reserved one, when the level of their
        commercial partner (current company) opens it."""
        self.ensure_one()
        if not self.sudo().ecrm_level_ids:
            return True
        level = partner.commercial_partner_id.sudo().ecrm_level_id
        return level in self._ecrm_opening_levels()

    def _ecrm_closed_to(self, partner):
        """Why ``partner`` cannot start this course (the level that opens
        it), or False: for the course page, read by anyone."""
        self.ensure_one()
        if self.is_member or self._ecrm_can_start(partner):
            return False
        return self._ecrm_reserved_message()

    def _action_add_members(
        self, target_partners, member_status="joined", raise_on_access=False
    ):
        """A customer enrolling themself in a reserved course must be at a
        level that opens it, unless they started it before (a course they
        left and come back to, or an invitation of the staff). Employees
        (invitations, the attendees they add) are not limited."""
        if member_status == "joined" and not self.env.user._is_internal():
            started = (
                self.env["slide.channel.partner"]
                .sudo()
                .with_context(active_test=False)
                .search(
                    [
                        ("channel_id", "in", self.ids),
                        ("partner_id", "in", target_partners.ids),
                    ]
                )
            )
            for channel in self.sudo().filtered("ecrm_level_ids"):
                newcomers = (
                    target_partners
                    - started.filtered(
                        lambda member, channel=channel: member.channel_id == channel
                    ).partner_id
                )
                if any(not channel._ecrm_can_start(p) for p in newcomers):
                    raise UserError(channel._ecrm_reserved_message())
        return super()._action_add_members(
            target_partners,
            member_status=member_status,
            raise_on_access=raise_on_access,
        )

    def _ecrm_reserved_message(self):
        self.ensure_one()
        levels = self._ecrm_opening_levels()
        if not levels:
            return self.env._("This course is not open to customers at the moment.")
        return self.env._(
            "This course is reserved to customers at the %(level)s level.",
            level=levels[:1].name,
        )

    @api.model
    def _ecrm_demo_courses(self):
        """Demo: the portal demo customer is halfway through the kettle
        course."""
        user = self.env.ref("base.demo_user0")
        self.env.ref("ecrm_slides.slide_channel_kettle")._action_add_members(
            user.partner_id
        )
        slide = self.env.ref("ecrm_slides.slide_slide_kettle_descale")
        slide.with_user(user)._action_mark_completed()
