# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged
from odoo.tests.common import JsonRpcException

from odoo.addons.ecrm_portal.tests.common import EcrmPortalCommon


@tagged("post_install", "-at_install")
class TestSlides(EcrmPortalCommon, HttpCase):
    """Courses reserved to eCRM levels: who starts them, what stays after a
    fall, "Your courses" on the portal home, the course page, the timeline."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # A: Customer-centred (common), B: Value-added (Online training)
        cls.value_added = cls.env.ref("ecrm_core.ecrm_level_value_added")
        cls.partner_b._ecrm_pin_level(cls.value_added.id, "test")
        Course = cls.env["slide.channel"]
        cls.reserved, cls.reserved_2, cls.free = Course.create(
            [
                {
                    "name": name,
                    "enroll": "public",
                    "visibility": "public",
                    "is_published": True,
                    "ecrm_level_ids": [Command.set(levels.ids)],
                    "slide_ids": [
                        Command.create(
                            {
                                "name": f"{name} {n}",
                                "slide_category": "article",
                                "html_content": "<p>Lesson</p>",
                                "is_published": True,
                            }
                        )
                        for n in (1, 2)
                    ],
                }
                for name, levels in (
                    ("Masterclass", cls.value_added),
                    ("Second masterclass", cls.value_added),
                    ("Kettle basics", cls.env["ecrm.level"]),
                )
            ]
        )

    def _join(self, course, user):
        return course.with_user(user)._action_add_members(user.partner_id)

    def _complete(self, course, user, slides=None):
        (slides or course.slide_ids).with_user(user)._action_mark_completed()

    def _member(self, course, partner):
        return (
            self.env["slide.channel.partner"]
            .with_context(active_test=False)
            .search([("channel_id", "=", course.id), ("partner_id", "=", partner.id)])
        )

    def test_reserved_course_opens_to_its_levels(self):
        self.assertTrue(self._join(self.reserved, self.user_b))
        with self.assertRaisesRegex(
            UserError, "reserved to customers at the Value-added"
        ):
            self._join(self.reserved, self.user_a)
        self.assertFalse(self._member(self.reserved, self.partner_a))
        self.assertTrue(self._join(self.free, self.user_a))
        # employees add whom they want
        self.reserved._action_add_members(self.partner_a)
        self.assertTrue(self._member(self.reserved, self.partner_a))

    def test_the_training_service_decides(self):
        self.value_added.service_ids -= self.env.ref("ecrm_core.ecrm_service_training")
        with self.assertRaisesRegex(UserError, "not open to customers"):
            self._join(self.reserved, self.user_b)

    def test_falling_below_keeps_what_was_started(self):
        self._join(self.reserved, self.user_b)
        self._complete(self.reserved, self.user_b)
        self._join(self.reserved_2, self.user_b)
        self._complete(self.reserved_2, self.user_b, self.reserved_2.slide_ids[:1])
        self.partner_b._ecrm_pin_level(self.tracking_level.id, "fell below")
        done, ongoing = (
            self._member(course, self.partner_b)
            for course in (self.reserved, self.reserved_2)
        )
        self.assertEqual((done.member_status, done.active), ("completed", True))
        # the course in progress stays open: it can be finished
        self._complete(self.reserved_2, self.user_b, self.reserved_2.slide_ids[1:])
        self.assertEqual(ongoing.member_status, "completed")
        # left and taken up again: not a new start
        self.reserved_2._remove_membership(self.partner_b.ids)
        self.assertTrue(self._join(self.reserved_2, self.user_b))
        # a new reserved course: no
        third = self.reserved.copy({"name": "Third masterclass"})
        with self.assertRaises(UserError):
            self._join(third, self.user_b)

    def test_your_courses_on_the_portal_home(self):
        self._join(self.free, self.user_a)
        self._complete(self.free, self.user_a, self.free.slide_ids[:1])
        self.authenticate(self.user_a.login, self.user_a.login)
        page = self.url_open("/my/home/blocks").text
        self.assertIn("Your courses", page)
        self.assertIn("Kettle basics", page)
        self.assertIn("50%", page)
        self.assertIn("o_ecrm_course_locked", page)
        self.assertIn("opened by the <strong>Value-added</strong> level", page)
        self.assertNotIn("o_ecrm_course_open", page)
        self.authenticate(self.user_b.login, self.user_b.login)
        page = self.url_open("/my/home/blocks").text
        self.assertIn("o_ecrm_course_open", page)
        self.assertNotIn("o_ecrm_course_locked", page)

    def test_course_page_and_join_route(self):
        url = self.reserved.website_url
        self.authenticate(self.user_a.login, self.user_a.login)
        page = self.url_open(url).text
        self.assertIn("o_ecrm_course_reserved", page)
        self.assertNotIn("o_wslides_js_course_join_link", page)
        with self.assertRaises(JsonRpcException):
            self.make_jsonrpc_request(
                "/slides/channel/join", {"channel_id": self.reserved.id}
            )
        self.assertFalse(self._member(self.reserved, self.partner_a))
        self.authenticate(self.user_b.login, self.user_b.login)
        page = self.url_open(url).text
        self.assertNotIn("o_ecrm_course_reserved", page)
        self.assertIn("o_wslides_js_course_join_link", page)
        self.make_jsonrpc_request(
            "/slides/channel/join", {"channel_id": self.reserved.id}
        )
        self.assertTrue(self._member(self.reserved, self.partner_b))
        self.authenticate(None, None)
        self.assertIn("o_ecrm_course_reserved", self.url_open(url).text)

    def test_enrolments_and_completions_in_the_timeline(self):
        self._join(self.free, self.user_a)
        self._complete(self.free, self.user_a)
        self.free._action_add_members(self.env.user.partner_id)  # an employee
        rows = self.env["ecrm.interaction"].search(
            [
                ("channel", "=", "training"),
                ("res_id", "in", self.free.channel_partner_all_ids.ids),
            ]
        )
        self.assertEqual(
            sorted(rows.mapped("kind")), ["course_completion", "course_enrolment"]
        )
        self.assertEqual(rows.partner_id, self.partner_a)
        self.assertEqual(
            sorted(rows.mapped("summary")),
            ["Completed: Kettle basics", "Enrolled: Kettle basics"],
        )


@tagged("post_install", "-at_install")
class TestSlidesTour(EcrmPortalCommon, HttpCase):
    def test_enrol_from_the_portal_home(self):
        self.partner_b._ecrm_pin_level(
            self.env.ref("ecrm_core.ecrm_level_value_added").id, "test"
        )
        course = self.env["slide.channel"].create(
            {
                "name": "Zither tour course",
                "enroll": "public",
                "visibility": "public",
                "is_published": True,
                "ecrm_level_ids": [
                    Command.set(self.env.ref("ecrm_core.ecrm_level_value_added").ids)
                ],
            }
        )
        self.start_tour("/my", "ecrm_slides_enrol", login=self.user_b.login)
        course.invalidate_recordset()
        self.assertIn(self.partner_b, course.channel_partner_ids.partner_id)
