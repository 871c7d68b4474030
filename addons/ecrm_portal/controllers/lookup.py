# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import hmac

from odoo import http
from odoo.http import request
from odoo.tools.sql import escape_psql

from .inputs import clean_text

FIELD_MAX = 200


def _normalised(email):
    return (email or "").strip().lower()


class EcrmGuestLookup(http.Controller):
    """Guest order lookup: the order reference and the email on the order lead
    to the order's access-token page. A wrong pair says nothing about whether
    the order exists; tries are limited per client IP and per order."""

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
        # the reference itself, in any case: "%" and "_" are no wildcards
        order = (
            request.env["sale.order"]
            .sudo()
            .search(
                [("name", "=ilike", escape_psql(reference)), ("state", "=", "sale")],
                limit=1,
            )
            if reference
            else request.env["sale.order"]
        )
        ip_key = f"ip:{request.httprequest.remote_addr}"
        # one counter per order however its reference is spelt
        order_key = f"order:{order.id}" if order else f"ref:{reference.upper()}"
        spent = (
            request.env["ecrm.lookup.attempt"]
            .sudo()
            ._ecrm_try([ip_key, order_key], company)
        )
        if ip_key in spent:
            return self._render(dict(values, too_many=True), status=429)
        # the same comparison whether the order exists or not
        expected = _normalised(order.partner_id.email) or "\x00no order\x00"
        if (
            not hmac.compare_digest(_normalised(email).encode(), expected.encode())
            or not order
        ):
            # the order's counter stops wrong pairs only: strangers trying
            # many addresses cannot lock the customer out of their order
            too_many = order_key in spent
            return self._render(
                dict(values, failed=not too_many, too_many=too_many),
                status=429 if too_many else 200,
            )
        order._portal_ensure_token()
        return request.redirect(order.get_portal_url(), code=303, local=True)
