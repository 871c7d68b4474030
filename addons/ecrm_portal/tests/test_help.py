# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestHelp(HttpCase):
    """The public help pages: published articles only, search, one vote per
    visitor and article."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Article = cls.env["ecrm.faq.article"]
        cls.category = cls.env["ecrm.faq.category"].create({"name": "Parcels"})
        cls.published = Article.create(
            {
                "name": "How do I track my parcel?",
                "body": "<p>Open the order in your portal: each step has its date.</p>",
                "keywords": "tracking delivery parcel",
                "category_id": cls.category.id,
                "is_published": True,
            }
        )
        cls.draft = Article.create(
            {
                "name": "Secret parcel draft",
                "body": "<p>Not ready.</p>",
                "keywords": "parcel",
                "category_id": cls.category.id,
                "is_published": False,
            }
        )
        cls.slug = cls.env["ir.http"]._slug

    def test_published_only(self):
        page = self.url_open("/help").text
        self.assertIn(self.published.name, page)
        self.assertNotIn(self.draft.name, page)
        found = self.url_open("/help?search=parcel").text
        self.assertIn(self.published.name, found)
        self.assertNotIn(self.draft.name, found)
        self.assertEqual(
            self.url_open(f"/help/{self.slug(self.published)}").status_code, 200
        )
        for path in (self.slug(self.draft), "nothing-here", "x-999999999"):
            self.assertEqual(self.url_open(f"/help/{path}").status_code, 404, path)

    def test_long_search_is_cut_not_failed(self):
        reply = self.url_open("/help?search=" + "parcel%20" * 2000)
        self.assertEqual(reply.status_code, 200)

    def vote(self, helpful):
        url = f"/help/{self.slug(self.published)}"
        page = self.url_open(url).text
        token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        return self.url_open(
            f"{url}/vote", data={"csrf_token": token, "helpful": helpful}
        )

    def test_one_vote_per_visitor(self):
        self.vote("1")
        self.vote("1")
        self.published.invalidate_recordset()
        self.assertEqual(
            (self.published.helpful_count, self.published.unhelpful_count), (1, 0)
        )
        self.vote("0")  # the same visitor changes their mind
        self.published.invalidate_recordset()
        self.assertEqual(
            (self.published.helpful_count, self.published.unhelpful_count), (0, 1)
        )
        self.opener.cookies.clear()  # another visitor
        self.vote("1")
        self.published.invalidate_recordset()
        self.assertEqual(
            (self.published.helpful_count, self.published.unhelpful_count), (1, 1)
        )

    def test_no_vote_on_drafts_or_without_csrf(self):
        reply = self.url_open(
            f"/help/{self.slug(self.published)}/vote", data={"helpful": "1"}
        )
        self.assertEqual(reply.status_code, 400)
        self.assertFalse(self.published.vote_ids)
