# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import json
import os
from urllib.parse import urlencode

from hypothesis import HealthCheck, example, given, reject, settings
from hypothesis import strategies as st

from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from odoo.addons.ecrm_core.models.ecrm_selection import CONTACT_CHANNELS

from ..controllers.inputs import parse_id
from .common import EcrmPortalCommon

# generated values of form fields and query parameters: any text (unicode
# digits, controls, very long), numbers beyond PostgreSQL's integers, empty
TEXT = st.one_of(
    st.text(max_size=60),
    st.text(alphabet="0123456789²١-+. ", max_size=25),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.sampled_from(["", " ", "all", "name", "product", "ref", "up", "hide", "0"]),
)
ANY_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=5,
)
# generated values per group of routes, at least: 250 keeps the test near a
# minute (1,750 values, each group's routes ~100-250 times); ECRM_FUZZ_INPUTS=1000
# for a deeper run (about 8 minutes on 2 cores)
INPUTS = int(os.environ.get("ECRM_FUZZ_INPUTS", "250"))


def fuzz(examples):
    return settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )


@tagged("post_install", "-at_install")
class TestFuzz(EcrmPortalCommon, HttpCase):
    """Every route ecrm_portal adds or extends, with generated input: never a
    5xx, and nothing written (the webhook: test_webhook). Each example sends
    several generated values; each group gets at least ``INPUTS`` of them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.order = cls._order()
        cls.delivery = cls._deliveries(cls.order)
        cls._validate(cls.delivery)
        cls.delivery.action_ecrm_mark_delivered()
        cls.rating = cls.delivery.rating_ids[:1]
        cls.order_b = cls._order(partner=cls.partner_b)
        cls.article = cls.env["ecrm.faq.article"].create(
            {"name": "Where is my parcel?", "keywords": "parcel", "is_published": True}
        )
        cls.own_ids = {str(r.id) for r in (cls.order, cls.delivery, cls.article)}

    def setUp(self):
        super().setUp()
        self.authenticate(self.user_a.login, self.user_a.login)
        page = self.url_open("/my/home/blocks").text
        self.csrf = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        self.generated = 0
        self.before = self.written()

    def tearDown(self):
        self.assertGreaterEqual(self.generated, INPUTS)
        self.assertEqual(self.written(), self.before)
        super().tearDown()

    def written(self):
        self.env.invalidate_all()
        counts = [
            self.env[model].sudo().search_count([])
            for model in (
                "ecrm.tracking.event",
                "ecrm.faq.vote",
                "ecrm.nps.answer",
                "ecrm.consent",
                "helpdesk.ticket",
                "rating.rating",
            )
        ]
        return (
            counts,
            self.delivery.ecrm_tracking_state,
            self.rating.consumed,
            self.user_a.ecrm_portal_home_layout,
            self.partner_a.ecrm_preferred_channel,
            self.partner_a.ecrm_category_ids.ids,
        )

    def get(self, path, **params):
        reply = self.url_open(f"{path}?{urlencode(params)}" if params else path)
        self.assertLess(reply.status_code, 500, (path, params))
        return reply

    def post(self, path, csrf=True, **data):
        if csrf:
            data["csrf_token"] = self.csrf
        reply = self.url_open(path, data=data, allow_redirects=False)
        self.assertLess(reply.status_code, 500, (path, data))
        return reply

    def json(self, path, params):
        body = json.dumps({"jsonrpc": "2.0", "method": "call", "params": params})
        reply = self.url_open(
            path, data=body, headers={"Content-Type": "application/json"}
        )
        self.assertLess(reply.status_code, 500, params)
        error = reply.json().get("error")
        # refused (404) or answered, never a server error
        self.assertTrue(not error or error["code"] == 404, (params, error))
        return reply

    @mute_logger("odoo.http")
    def test_order_list_search(self):
        @fuzz(INPUTS // 7 + 10)
        @given(
            st.fixed_dictionaries(
                {
                    name: TEXT
                    for name in (
                        "search",
                        "search_in",
                        "filterby",
                        "sortby",
                        "date_begin",
                        "date_end",
                        "page",
                    )
                }
            ),
            st.sampled_from(["/my/orders", "/my/quotes"]),
        )
        def check(params, path):
            self.generated += len(params)
            self.get(path, **params)

        check()

    @mute_logger("odoo.http")
    def test_order_page_received(self):
        ids = st.one_of(
            st.integers(min_value=0, max_value=2**40),
            st.sampled_from([self.order.id, self.order_b.id, self.delivery.id]),
        )

        @fuzz(INPUTS // 3 + 20)
        @given(ids, ids, TEXT, st.booleans())
        def check(order_id, picking_id, token, csrf):
            # the customer's own shipped delivery would be a legitimate write
            if (order_id, picking_id) == (self.order.id, self.delivery.id):
                reject()
            self.generated += 3
            self.post(
                f"/my/orders/{order_id}/received/{picking_id}",
                csrf=csrf,
                access_token=token,
            )

        check()

    @mute_logger("odoo.http")
    def test_home_and_preferences(self):
        codes = dict(CONTACT_CHANNELS)
        category_ids = {str(c.id) for c in self.env["product.category"].search([])}
        consents = {
            f"consent_{channel}": "1"
            for channel, _label in CONTACT_CHANNELS
            if self.partner_a._ecrm_has_consent(channel)
        }

        @fuzz(INPUTS // 3 + 20)
        @given(TEXT, TEXT, TEXT, st.lists(TEXT, max_size=3), st.booleans())
        def check(key, move, channel, categories, csrf):
            if set(categories) & category_ids:
                reject()
            if move in ("up", "down", "hide", "show") and key in (
                "level",
                "orders",
                "recommendations",
                "rewards",
            ):
                reject()
            self.generated += 3 + len(categories)
            self.post("/my/home/layout", csrf=csrf, key=key, move=move)
            self.post(
                "/my/preferences",
                csrf=csrf,
                preferred_channel=channel if channel not in codes else "x",
                category_ids=categories,
                **consents,
            )
            self.get("/my/preferences", saved=key)

        check()
        self.get("/my/preferences/export")

    @mute_logger("odoo.http")
    def test_help(self):
        article_ids = set(self.env["ecrm.faq.article"].search([]).ids)

        @fuzz(INPUTS // 3 + 20)
        @given(TEXT, TEXT, TEXT, st.booleans())
        # found once: a control character in a search broke the page's rendering
        @example("\x1b", "", "", False)
        def check(search, slug, helpful, csrf):
            # any article: a vote would be legitimate; NUL in a URL's path is
            # a server error of Odoo's routing for every path, not of this route
            if parse_id(slug.rsplit("-", 1)[-1]) in article_ids or (
                "/" in slug or "\x00" in slug
            ):
                reject()
            self.generated += 3
            self.get("/help", search=search)
            self.get(f"/help/{slug}", voted=helpful)
            self.post(f"/help/{slug}/vote", csrf=csrf, helpful=helpful)

        check()

    @mute_logger("odoo.http")
    def test_guest_lookup(self):
        """The lookup records its tries (the rate limit); nothing else."""

        @fuzz(INPUTS // 3 + 20)
        @given(TEXT, TEXT, TEXT, st.booleans())
        def check(reference, email, extra, csrf):
            self.generated += 3
            self.post("/track", csrf=csrf, reference=reference, email=email, x=extra)

        self.authenticate(None, None)
        self.csrf = (
            self.url_open("/track")
            .text.split('name="csrf_token" value="', 1)[1]
            .split('"', 1)[0]
        )
        check()

    @mute_logger("odoo.http")
    def test_ticket_and_suggestions(self):
        @fuzz(INPUTS // 3 + 20)
        @given(TEXT, ANY_JSON, ANY_JSON, st.booleans())
        def check(order_id, subject, json_order, csrf):
            # no order is helpdesk_mgmt's own form: a legitimate ticket
            if not order_id or order_id.strip() in self.own_ids:
                reject()
            self.generated += 3
            self.get("/new/ticket", sale_order_id=order_id)
            self.post(
                "/submitted/ticket",
                csrf=csrf,
                sale_order_id=order_id,
                subject="x",
                description="y",
            )
            self.json(
                "/ecrm/ticket/suggestions",
                {"subject": subject, "sale_order_id": json_order},
            )

        check()

    @mute_logger("odoo.http")
    def test_rating_nps(self):
        token = self.rating.access_token

        @fuzz(INPUTS // 3 + 40)
        @given(TEXT, TEXT, st.sampled_from([token, "x" * 32]))
        def check(nps, rate, access_token):
            # a valid score would be a legitimate answer
            if not nps.strip() or (
                nps.isdecimal() and nps.isascii() and 0 <= int(nps) <= 10
            ):
                reject()
            self.generated += 3
            self.post(
                f"/rate/{access_token}/submit_feedback",
                ecrm_nps=nps,
                rate=rate,
                feedback=nps,
            )

        check()
