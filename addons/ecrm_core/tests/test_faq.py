# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import HttpCase, new_test_user, tagged

from .common import JsonRpcMixin


@tagged("post_install", "-at_install")
class TestFaq(JsonRpcMixin, HttpCase):
    """FAQ articles: drafts by default, published by eCRM managers only (over
    JSON-RPC too); matching over the stored document follows the article."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        new_test_user(
            cls.env,
            login="faq_user",
            groups="base.group_user,ecrm_core.group_ecrm_user",
        )
        new_test_user(
            cls.env,
            login="faq_manager",
            groups="base.group_user,ecrm_core.group_ecrm_manager",
        )
        cls.Article = cls.env["ecrm.faq.article"]
        cls.Article.search([]).is_published = False

    def call(self, method, *args, **kwargs):
        return self.rpc("ecrm.faq.article", method, *args, **kwargs)

    def test_ecrm_user_writes_drafts_only(self):
        self.authenticate("faq_user", "faq_user")
        article_id, error = self.call("create", {"name": "Draft answer"})
        self.assertFalse(error)
        self.assertFalse(self.Article.browse(article_id).is_published)
        _result, error = self.call("create", {"name": "Live", "is_published": True})
        self.assertEqual(str(error), "odoo.exceptions.AccessError")
        _result, error = self.call("write", [article_id], {"is_published": True})
        self.assertEqual(str(error), "odoo.exceptions.AccessError")
        self.assertFalse(self.Article.browse(article_id).is_published)

    def test_ecrm_manager_publishes(self):
        article = self.Article.create({"name": "Ready answer"})
        self.authenticate("faq_manager", "faq_manager")
        _result, error = self.call("write", [article.id], {"is_published": True})
        self.assertFalse(error)
        self.assertTrue(article.is_published)

    def test_matching_follows_the_article(self):
        article = self.Article.create(
            {"name": "Where is my parcel?", "keywords": "tracking"}
        )
        self.assertFalse(self.Article._ecrm_match("parcel tracking"), "a draft")
        article.is_published = True
        self.assertEqual(self.Article._ecrm_match("my parcels"), article, "stemmed")
        article.keywords = "courier"
        self.assertEqual(self.Article._ecrm_match("courier"), article)
        self.env["res.lang"]._activate_lang("fr_FR")
        article.update_field_translations("name", {"fr_FR": "Où est mon colis ?"})
        self.assertEqual(
            self.Article.with_context(lang="fr_FR")._ecrm_match("colis perdu"),
            article,
        )
        self.assertFalse(self.Article._ecrm_match("the a is of"), "stop words only")
