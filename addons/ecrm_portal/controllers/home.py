# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import json

from werkzeug.exceptions import NotFound

from odoo import http
from odoo.http import request

from odoo.addons.ecrm_core.models.ecrm_selection import CONTACT_CHANNELS
from odoo.addons.portal.controllers.portal import CustomerPortal

from .inputs import parse_id


class EcrmPortalHome(CustomerPortal):
    def _ecrm_home_blocks(self):
        partner = request.env.user.partner_id.commercial_partner_id
        blocks = partner._ecrm_portal_home_blocks()
        return partner, request.env.user._ecrm_portal_home_layout(blocks)

    @http.route()
    def home(self, **kw):
        response = super().home(**kw)
        response.qcontext["ecrm_home_blocks"] = not request.env.user._is_internal()
        return response

    @http.route(
        "/my/home/blocks", type="http", auth="user", website=True, readonly=True
    )
    def ecrm_home_blocks(self, **kw):
        """The customer's blocks, loaded by the home once shown (as Odoo loads
        the home's counters): the home itself costs Odoo's own queries, and a
        slow block never delays it."""
        if request.env.user._is_internal():
            raise NotFound()
        partner, blocks = self._ecrm_home_blocks()
        return request.render(
            "ecrm_portal.portal_home_blocks",
            {"ecrm_partner": partner, "ecrm_blocks": blocks},
        )

    @http.route(
        "/my/home/layout", type="http", auth="user", methods=["POST"], website=True
    )
    def ecrm_home_layout(self, key=None, move=None, **kw):
        """One change of the arrangement of the home: ``move`` is ``up``,
        ``down``, ``hide`` or ``show`` for the block ``key``."""
        _partner, blocks = self._ecrm_home_blocks()
        keys = [block["key"] for block in blocks]
        hidden = [block["key"] for block in blocks if block["hidden"]]
        if key in keys and move in ("up", "down", "hide", "show"):
            i = keys.index(key)
            if move == "up" and i > 0:
                keys[i - 1], keys[i] = keys[i], keys[i - 1]
            elif move == "down" and i < len(keys) - 1:
                keys[i + 1], keys[i] = keys[i], keys[i + 1]
            elif move == "hide":
                hidden.append(key)
            elif move == "show" and key in hidden:
                hidden.remove(key)
            request.env.user._ecrm_portal_set_home_layout(keys, hidden, keys)
        return request.redirect("/my/home#ecrm_home_blocks")

    # ------------------------------------------------------------------
    # Preferences and the customer's data
    # ------------------------------------------------------------------

    def _ecrm_preference_values(self):
        partner = request.env.user.partner_id
        commercial = partner.commercial_partner_id.sudo()
        channels = [
            (code, label, partner._ecrm_has_consent(code))
            for code, label in CONTACT_CHANNELS
        ]
        return {
            "page_name": "ecrm_preferences",
            "ecrm_channels": channels,
            "ecrm_preferred_channel": partner.sudo().ecrm_preferred_channel,
            "ecrm_categories": commercial._ecrm_portal_interest_choices(),
            "ecrm_category_ids": commercial[
                commercial._ecrm_portal_interest_field()
            ].ids,
        }

    @http.route(
        "/my/preferences",
        type="http",
        auth="user",
        website=True,
        methods=["GET"],
        readonly=True,
    )
    def ecrm_preferences(self, **kw):
        values = self._prepare_portal_layout_values()
        values.update(self._ecrm_preference_values())
        values["ecrm_saved"] = kw.get("saved")
        return request.render("ecrm_portal.portal_my_preferences", values)

    @http.route(
        "/my/preferences", type="http", auth="user", website=True, methods=["POST"]
    )
    def ecrm_preferences_save(self, **post):
        partner = request.env.user.partner_id
        codes = dict(CONTACT_CHANNELS)
        for code in codes:
            wanted = bool(post.get(f"consent_{code}"))
            if wanted != partner._ecrm_has_consent(code):
                partner._ecrm_set_consent(
                    code, "opt_in" if wanted else "opt_out", "portal"
                )
        channel = post.get("preferred_channel") or False
        commercial = partner.commercial_partner_id.sudo()
        commercial.ecrm_preferred_channel = channel if channel in codes else False
        commercial._ecrm_portal_set_interests(
            [
                category_id
                for value in request.httprequest.form.getlist("category_ids")
                if (category_id := parse_id(value))
            ]
        )
        return request.redirect("/my/preferences?saved=1")

    @http.route(
        "/my/preferences/export", type="http", auth="user", website=True, readonly=True
    )
    def ecrm_export(self, **kw):
        """Everything the suite holds about the signed-in customer, as JSON."""
        partner = request.env.user.partner_id.commercial_partner_id
        data = partner._ecrm_portal_export()
        body = json.dumps(data, indent=1, default=str, ensure_ascii=False)
        return request.make_response(
            body,
            headers=[
                ("Content-Type", "application/json; charset=utf-8"),
                ("Content-Disposition", 'attachment; filename="my-data.json"'),
            ],
        )
