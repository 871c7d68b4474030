# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged

from ..hooks import post_init_hook


@tagged("post_install", "-at_install")
class TestShopInterests(HttpCase):
    """/my/preferences offers the shop's categories, in the customer's
    language, and keeps the customer's choices."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.user = new_test_user(
            cls.env, login="shop_interest", groups="base.group_portal", lang="fr_FR"
        )
        cls.partner = cls.user.partner_id
        Public = cls.env["product.public.category"]
        cls.teas = Public.create({"name": "Teas"})
        cls.teas.with_context(lang="fr_FR").name = "Thés"
        other_site = cls.env["website"].create({"name": "Other shop"})
        cls.elsewhere = Public.create(
            {"name": "Elsewhere", "website_id": other_site.id}
        )
        cls.internal = cls.env["product.category"].create({"name": "AVCO"})
        cls.env["product.template"].create(
            {
                "name": "Green tea",
                "categ_id": cls.internal.id,
                "sale_ok": True,
                "public_categ_ids": [Command.link(cls.teas.id)],
            }
        )

    def page(self):
        return self.url_open("/my/preferences").text

    def test_shop_categories_translated(self):
        self.authenticate(self.user.login, self.user.login)
        page = self.page()
        self.assertIn(f'value="{self.teas.id}"', page)
        self.assertIn(">Teas<", page)  # the website's language
        self.assertNotIn("Elsewhere", page)  # another website's
        self.assertNotIn(">AVCO<", page)  # no internal product category
        # in the customer's language where the website speaks it
        french = self.partner.with_context(lang="fr_FR")
        labels = [label for _c, label in french._ecrm_portal_interest_choices()]
        self.assertIn("Thés", labels)

    def test_saved_and_kept(self):
        self.partner.ecrm_public_category_ids = self.elsewhere  # not offered here
        self.authenticate(self.user.login, self.user.login)
        token = self.page().split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        self.url_open(
            "/my/preferences",
            data={"csrf_token": token, "category_ids": str(self.teas.id)},
        )
        self.partner.invalidate_recordset()
        self.assertEqual(
            self.partner.ecrm_public_category_ids, self.teas | self.elsewhere
        )

    def test_install_carries_the_choices_over(self):
        self.partner.ecrm_category_ids = self.internal
        self.env.flush_all()
        post_init_hook(self.env)
        self.partner.invalidate_recordset()
        self.assertEqual(self.partner.ecrm_public_category_ids, self.teas)
