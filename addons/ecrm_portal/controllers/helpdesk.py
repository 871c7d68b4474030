# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from werkzeug.exceptions import NotFound

from odoo import Command, http
from odoo.http import request

from odoo.addons.ecrm_core.controllers.helpdesk import EcrmHelpdeskTicketController

from .inputs import clean_text, parse_id

SUGGESTIONS = 5
SUBJECT_MAX = 200  # characters of a subject used for matching


class EcrmOrderTicket(EcrmHelpdeskTicketController):
    """ "Problem with this order?": helpdesk_mgmt's own ticket form
    (``/new/ticket``, ``/submitted/ticket``) about one of the customer's
    orders, linked through helpdesk_mgmt_sale's ``sale_order_ids``; while the
    subject is typed, published FAQ articles that may answer it."""

    def _ecrm_ticket_order(self, order_id):
        """The order ``order_id`` (a form value) read with the user's own
        rights: another customer's order is not found."""
        Order = request.env["sale.order"]
        if order_id in (None, "", False):
            return Order
        order_id = parse_id(order_id)
        order = order_id and Order.search(
            [("id", "=", order_id), ("state", "=", "sale")]
        )
        if not order:
            raise NotFound()
        return order

    def _get_create_new_ticket_values(self, **kw):
        values = super()._get_create_new_ticket_values(**kw)
        values["ecrm_order"] = self._ecrm_ticket_order(kw.get("sale_order_id"))
        return values

    def _prepare_submit_ticket_vals(self, **kw):
        order = self._ecrm_ticket_order(kw.get("sale_order_id"))
        vals = super()._prepare_submit_ticket_vals(**kw)
        if order:
            vals.update(
                company_id=order.company_id.id,
                sale_order_ids=[Command.set(order.ids)],
            )
        return vals

    @http.route("/ecrm/ticket/suggestions", type="json", auth="user", readonly=True)
    def ecrm_ticket_suggestions(self, subject="", sale_order_id=None, **kw):
        """Up to five published FAQ articles matching ``subject``, of the
        company the ticket will belong to, in the user's language."""
        order = self._ecrm_ticket_order(sale_order_id)
        company = order.company_id or request.env.company
        articles = (
            request.env["ecrm.faq.article"]
            .sudo()
            .with_company(company)
            .with_context(lang=request.env.lang)
            ._ecrm_match(clean_text(subject, SUBJECT_MAX), limit=SUGGESTIONS)
        )
        slug = request.env["ir.http"]._slug
        return [
            {"name": article.name, "url": f"/help/{slug(article)}"}
            for article in articles
        ]
