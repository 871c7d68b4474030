# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import json
from unittest.mock import patch

from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestPortalHome(HttpCase):
    """The personalised home, the preferences page and the data export, over
    HTTP as two portal customers."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.alice = new_test_user(
            cls.env, login="home_alice", groups="base.group_portal"
        )
        cls.bob = new_test_user(cls.env, login="home_bob", groups="base.group_portal")
        cls.alice.partner_id.email = "alice@home.test"
        cls.bob.partner_id.email = "bob@home.test"
        cls.bob.partner_id.ecrm_category_ids = cls.env["product.category"].search(
            [], limit=1
        )

    def blocks(self):
        page = self.url_open("/my/home/blocks").text
        order = []
        for chunk in page.split('class="o_ecrm_home_block card mb-2" data-key="')[1:]:
            order.append(chunk.split('"', 1)[0])
        return order

    def post(self, url, **data):
        page = self.url_open("/my/home/blocks").text
        token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        return self.url_open(url, data={"csrf_token": token, **data})

    def test_blocks_rearranged_and_kept(self):
        partner = self.alice.partner_id.commercial_partner_id
        default = [
            block["key"]
            for block in sorted(
                partner._ecrm_portal_home_blocks(), key=lambda b: b["sequence"]
            )
        ]
        self.assertEqual(default[:2], ["level", "orders"])
        self.assertEqual(default[-1], "recommendations")
        moved = default[:-2] + [default[-1], default[-2]]
        self.authenticate("home_alice", "home_alice")
        self.assertEqual(self.blocks(), default)
        self.post("/my/home/layout", key="recommendations", move="up")
        self.post("/my/home/layout", key="level", move="hide")
        self.post("/my/home/layout", key="nonsense", move="up")
        self.assertEqual(self.blocks(), moved[1:])
        # a new session sees the same home; bob's is untouched
        self.authenticate("home_alice", "home_alice")
        self.assertEqual(self.blocks(), moved[1:])
        self.authenticate("home_bob", "home_bob")
        self.assertEqual(self.blocks(), default)
        self.authenticate("home_alice", "home_alice")
        self.post("/my/home/layout", key="level", move="show")  # back in its place
        self.assertEqual(self.blocks(), moved)

    def test_layout_needs_csrf(self):
        self.authenticate("home_alice", "home_alice")
        reply = self.url_open("/my/home/layout", data={"key": "level", "move": "hide"})
        self.assertEqual(reply.status_code, 400)
        self.assertFalse(self.alice.ecrm_portal_home_layout)

    def test_preferences_change_consent(self):
        self.authenticate("home_alice", "home_alice")
        self.assertTrue(self.alice.partner_id._ecrm_has_consent("email"))
        reply = self.url_open("/my/preferences")
        self.assertEqual(reply.status_code, 200)
        self.assertIn('name="consent_email"', reply.text)
        commercial = self.alice.partner_id.commercial_partner_id
        category = commercial._ecrm_portal_interest_choices()[0][0]
        # every box but email and sms, sms preferred, one category
        self.post(
            "/my/preferences",
            consent_phone="1",
            consent_post="1",
            consent_portal="1",
            preferred_channel="sms",
            category_ids=str(category.id),
        )
        self.env.invalidate_all()
        partner = self.alice.partner_id
        self.assertFalse(partner._ecrm_has_consent("email"))
        self.assertFalse(partner._ecrm_has_consent("sms"))
        self.assertTrue(partner._ecrm_has_consent("phone"))
        self.assertEqual(partner.ecrm_preferred_channel, "sms")
        self.assertEqual(partner[partner._ecrm_portal_interest_field()], category)
        consent = self.env["ecrm.consent"].search(
            [("partner_id", "=", partner.id), ("channel", "=", "email")]
        )
        self.assertEqual((consent.state, consent.source), ("opt_out", "portal"))
        # a channel nobody offers is ignored, not stored
        self.post("/my/preferences", preferred_channel="pigeon")
        self.env.invalidate_all()
        self.assertFalse(partner.ecrm_preferred_channel)

    def test_export_holds_only_my_data(self):
        self.authenticate("home_alice", "home_alice")
        reply = self.url_open("/my/preferences/export")
        self.assertEqual(reply.status_code, 200)
        self.assertIn("attachment", reply.headers["Content-Disposition"])
        data = json.loads(reply.content)
        self.assertEqual(data["customer"][0]["email"], "alice@home.test")
        self.assertNotIn("bob@home.test", reply.text)
        self.assertEqual(
            set(data),
            {"customer", "profiles", "consents", "timeline", "ratings"}
            | ({"tracking_events"} if "ecrm.tracking.event" in self.env else set()),
        )

    def test_anonymous_reach_nothing(self):
        for url in (
            "/my/preferences",
            "/my/preferences/export",
            "/my/home",
            "/my/home/blocks",
        ):
            reply = self.url_open(url, allow_redirects=False)
            self.assertIn(reply.status_code, (302, 303), url)
            self.assertIn("/web/login", reply.headers["Location"])

    def test_interests_offered_and_kept(self):
        """Without the eCommerce: only categories of saleable products, by their
        own name (not "All / ..."); a choice the list no longer offers is
        kept when the form is saved."""
        Category = self.env["product.category"]
        shop, costing, gone = Category.create(
            [{"name": "Tea sets"}, {"name": "Costing"}, {"name": "Discontinued"}]
        )
        self.env["product.template"].create(
            [
                {"name": "Tea set", "categ_id": shop.id, "sale_ok": True},
                {"name": "Freight cost", "categ_id": costing.id, "sale_ok": False},
            ]
        )
        partner = self.alice.partner_id.commercial_partner_id
        offered = dict(partner._ecrm_portal_product_categories())
        self.assertEqual(offered[shop], "Tea sets")
        self.assertNotIn(costing, offered)
        self.assertNotIn(gone, offered)
        # the product categories' path, ecrm_portal's own (the eCommerce glue
        # replaces it when installed)
        Partner = type(partner)
        with (
            patch.object(
                Partner, "_ecrm_portal_interest_field", lambda p: "ecrm_category_ids"
            ),
            patch.object(
                Partner,
                "_ecrm_portal_interest_choices",
                Partner._ecrm_portal_product_categories,
            ),
        ):
            partner.ecrm_category_ids = gone
            partner._ecrm_portal_set_interests([shop.id, costing.id])
        self.assertEqual(partner.ecrm_category_ids, gone | shop)
