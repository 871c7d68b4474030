# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from werkzeug.exceptions import Forbidden

from odoo import http
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal


class EcrmForget(CustomerPortal):
    """The customer's request to be forgotten: a confirmation page under the
    preferences, a POST that does what the company's setting says."""

    def _ecrm_forget_values(self, **values):
        partner = request.env.user.partner_id
        values.update(
            page_name="ecrm_forget",
            ecrm_forget_pending=partner._ecrm_forget_pending(),
            ecrm_forget_mode=request.env.company.ecrm_forget_mode,
        )
        return self._prepare_portal_layout_values() | values

    def _ecrm_check_customer(self):
        # an employee's contact is erased from the backend, not from here
        if not request.env.user.share:
            raise Forbidden(request.env._("Only customers can ask this here."))

    @http.route(
        "/my/preferences/forget",
        type="http",
        auth="user",
        website=True,
        methods=["GET"],
        readonly=True,
    )
    def ecrm_forget(self, **kw):
        self._ecrm_check_customer()
        return request.render(
            "ecrm_portal.portal_my_forget", self._ecrm_forget_values()
        )

    @http.route(
        "/my/preferences/forget",
        type="http",
        auth="user",
        website=True,
        methods=["POST"],
    )
    def ecrm_forget_confirm(self, confirm=None, **kw):
        self._ecrm_check_customer()
        if confirm != "1":
            values = self._ecrm_forget_values(
                ecrm_forget_error=request.env._(
                    "Tick the box to confirm that you want to be forgotten."
                )
            )
            return request.render("ecrm_portal.portal_my_forget", values, status=400)
        if request.env.user.partner_id._ecrm_forget_request():
            # the user is archived with their contact: this session is over
            request.session.logout(keep_db=True)
            return request.redirect("/my/preferences/forgotten")
        return request.redirect("/my/preferences/forget")

    @http.route(
        "/my/preferences/forgotten",
        type="http",
        auth="public",
        website=True,
        readonly=True,
        sitemap=False,
    )
    def ecrm_forgotten(self, **kw):
        return request.render("ecrm_portal.portal_forgotten")
