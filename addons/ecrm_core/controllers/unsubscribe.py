# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from werkzeug.exceptions import NotFound

from odoo import http
from odoo.http import request

from ..models.ecrm_consent import UNSUBSCRIBE_PATH


class EcrmUnsubscribe(http.Controller):
    """One-click unsubscribe from the marketing mails (RFC 8058): the URL of
    a mail's ``List-Unsubscribe`` header and of its unsubscribe link, signed
    per recipient and company (``ecrm.consent._ecrm_unsubscribe_url``).

    GET shows a confirmation page and changes nothing (link scanners and
    previews follow links); POST records the email opt-out, once. No login
    and no CSRF token: the mailbox provider POSTs
    ``List-Unsubscribe=One-Click`` without cookies, and the signed token is
    what authorises the request."""

    @http.route(
        f"{UNSUBSCRIBE_PATH}/<string:token>",
        type="http",
        auth="public",
        methods=["GET", "POST"],
        csrf=False,
        website=True,
        sitemap=False,
    )
    def ecrm_unsubscribe(self, token, **post):
        Consent = request.env["ecrm.consent"]
        partner, company = Consent._ecrm_unsubscribe_target(token)
        if not (partner and company):
            raise NotFound()
        done = Consent._ecrm_unsubscribed(partner, company)
        if request.httprequest.method == "POST" and not done:
            partner.with_company(company)._ecrm_set_consent(
                "email", "opt_out", "unsubscribe"
            )
            done = True
        return request.render(
            "ecrm_core.ecrm_unsubscribe_page",
            {"company": company, "done": done, "action": request.httprequest.path},
        )
