# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from werkzeug.exceptions import NotFound

from odoo import http
from odoo.exceptions import AccessError, MissingError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal


class EcrmTrackingPortal(CustomerPortal):
    @http.route(
        "/my/orders/<int:order_id>/received/<int:picking_id>",
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
    )
    def ecrm_received(self, order_id, picking_id, access_token=None, **kw):
        """ "I received it": the customer marks a shipped delivery of their
        order as delivered (the order looked up with their rights or its
        access token, as the order page itself)."""
        if access_token and not access_token.isascii():
            raise NotFound()  # Odoo's token comparison refuses non-ASCII text
        try:
            order = self._document_check_access("sale.order", order_id, access_token)
        except (AccessError, MissingError) as e:
            raise NotFound() from e
        delivery = order.picking_ids.filtered(lambda p: p.id == picking_id)
        if not delivery or delivery.ecrm_tracking_state not in (
            "shipped",
            "on_the_way",
        ):
            raise NotFound()
        delivery._ecrm_apply_tracking("delivered", "customer")
        return request.redirect(order.get_portal_url())
