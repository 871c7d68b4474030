# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import hmac

from odoo import http
from odoo.http import request

from .inputs import clean_text

FIELD_MAX = 200


def _normalised(email):
    return (email or "").strip().lower()


class EcrmGuestLookup(http.Controller):
    """Guest order lookup: the order reference and the email on the order lead
    to the order's access-token page. A wrong pair says nothing about whether
    the order exists; tries are limited per client IP and per reference."""

    def _render(self, values, status=200):
        return request.render("ecrm_portal.guest_lookup", values, status=status)

    @http.route(
        "/track",
        type="http",
        auth="public",
        website=True,
        methods=["GET"],
        readonly=True,
    )
    def ecrm_track_form(self, reference="", **kw):
        # prefilled from the link of the order confirmation email
        reference = clean_text(reference, FIELD_MAX).strip()
        return self._render({"reference": reference, "email": ""})

    @http.route("/track", type="http", auth="public", website=True, methods=["POST"])
    def ecrm_track(self, reference="", email="", **kw):
        reference = clean_text(reference, FIELD_MAX).strip()
        email = clean_text(email, FIELD_MAX)
        values = {"reference": reference, "email": email}
        company = request.env.company.sudo()
        keys = [f"ip:{request.httprequest.remote_addr}", f"ref:{reference.upper()}"]
        if not request.env["ecrm.lookup.attempt"].sudo()._ecrm_allowed(keys, company):
            return self._render(dict(values, too_many=True), status=429)
        order = (
            request.env["sale.order"]
            .sudo()
            .search([("name", "=ilike", reference), ("state", "=", "sale")], limit=1)
            if reference
            else request.env["sale.order"]
        )
        # the same comparison whether the order exists or not
        expected = _normalised(order.partner_id.email) or "\x00no order\x00"
        if (
            not hmac.compare_digest(_normalised(email).encode(), expected.encode())
            or not order
        ):
            return self._render(dict(values, failed=True))
        order._portal_ensure_token()
        return request.redirect(order.get_portal_url(), code=303, local=True)
