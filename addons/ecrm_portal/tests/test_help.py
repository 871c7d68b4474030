# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from unittest.mock import patch

from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import config


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

    def vote(self, helpful, ip=None):
        """``ip``: the client's address, as a reverse proxy forwards it."""
        headers = {}
        if ip:
            self.enterContext(patch.dict(config.options, proxy_mode=True))
            headers = {
                "X-Forwarded-For": ip,
                "X-Forwarded-Host": f"127.0.0.1:{self.http_port()}",
            }
        url = f"/help/{self.slug(self.published)}"
        page = self.url_open(url, headers=headers).text
        token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        return self.url_open(
            f"{url}/vote",
            data={"csrf_token": token, "helpful": helpful},
            headers=headers,
        )

    def counts(self):
        self.published.invalidate_recordset()
        return self.published.helpful_count, self.published.unhelpful_count

    def test_one_vote_per_visitor(self):
        self.vote("1")
        self.vote("1")
        self.assertEqual(self.counts(), (1, 0))
        self.vote("0")  # the same visitor changes their mind
        self.assertEqual(self.counts(), (0, 1))
        # a fresh session from the same address is the same visitor
        self.opener.cookies.clear()
        self.vote("1")
        self.assertEqual(self.counts(), (1, 0))
        self.vote("1", ip="192.0.2.7")  # another visitor
        self.assertEqual(self.counts(), (2, 0))
        # a signed-in customer votes as themselves, wherever they are
        user = new_test_user(self.env, login="ecrm_voter", groups="base.group_portal")
        self.authenticate(user.login, user.login)
        self.vote("0")
        self.vote("0", ip="192.0.2.8")
        self.assertEqual(self.counts(), (2, 1))
        self.assertNotIn("192.0.2.7", self.published.vote_ids.mapped("voter"))

    def test_no_vote_on_drafts_or_without_csrf(self):
        reply = self.url_open(
            f"/help/{self.slug(self.published)}/vote", data={"helpful": "1"}
        )
        self.assertEqual(reply.status_code, 400)
        self.assertFalse(self.published.vote_ids)
