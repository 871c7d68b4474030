# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields
from odoo.http import request
from odoo.osv import expression

from odoo.addons.portal.controllers.portal import pager as portal_pager
from odoo.addons.sale.controllers.portal import CustomerPortal

from .inputs import clean_text, parse_id

SEARCH_MAX = 100


class EcrmSalePortal(CustomerPortal):
    """Search, filters and sorting on /my/orders and /my/quotes, with the
    portal's own search bar; the pager keeps them."""

    def _get_sale_searchbar_sortings(self):
        return {
            **super()._get_sale_searchbar_sortings(),
            "name": {"label": request.env._("Reference"), "order": "name desc"},
            "amount": {"label": request.env._("Total"), "order": "amount_total desc"},
        }

    def _ecrm_sale_searchbar_inputs(self):
        return {
            "all": {"input": "all", "label": request.env._("Search in all")},
            "name": {"input": "name", "label": request.env._("Search in reference")},
            "product": {
                "input": "product",
                "label": request.env._("Search in products"),
            },
            "ref": {"input": "ref", "label": request.env._("Search in your reference")},
        }

    def _ecrm_sale_searchbar_filters(self):
        states = request.env["sale.order"]._fields["ecrm_tracking_state"]
        filters = {"all": {"label": request.env._("All"), "domain": []}}
        for value, label in states._description_selection(request.env):
            filters[value] = {
                "label": label,
                "domain": [("ecrm_tracking_state", "=", value)],
            }
        return filters

    @staticmethod
    def _ecrm_date(value):
        try:
            return fields.Datetime.to_string(fields.Datetime.to_datetime(value))
        except (TypeError, ValueError, OverflowError):
            return None

    def _ecrm_sale_search_domain(self, search, search_in):
        search = clean_text(search, SEARCH_MAX).strip()
        if not search:
            return []
        by = {
            "name": [("name", "ilike", search)],
            "product": [("order_line.name", "ilike", search)],
            "ref": [("client_order_ref", "ilike", search)],
        }
        if search_in in by:
            return by[search_in]
        return expression.OR(by.values())

    # the home's counters use these domains too: the search applies only on
    # the pages that set it
    def _prepare_orders_domain(self, partner):
        domain = super()._prepare_orders_domain(partner)
        return domain + getattr(request, "ecrm_sale_domain", [])

    def _prepare_quotations_domain(self, partner):
        domain = super()._prepare_quotations_domain(partner)
        return domain + getattr(request, "ecrm_sale_domain", [])

    def _prepare_sale_portal_rendering_values(
        self,
        page=1,
        date_begin=None,
        date_end=None,
        sortby=None,
        quotation_page=False,
        search=None,
        search_in="all",
        filterby="all",
        **kwargs,
    ):
        inputs = self._ecrm_sale_searchbar_inputs()
        filters = self._ecrm_sale_searchbar_filters()
        search_in = search_in if search_in in inputs else "all"
        filterby = filterby if filterby in filters and not quotation_page else "all"
        if sortby not in self._get_sale_searchbar_sortings():
            sortby = None
        # Odoo's page uses them as they come: a malformed page number or date
        # is dropped, not a server error
        page = parse_id(page) or 1
        date_begin, date_end = (
            self._ecrm_date(date) for date in (date_begin, date_end)
        )
        # read by the domain methods above, for this request only
        request.ecrm_sale_domain = (
            self._ecrm_sale_search_domain(search, search_in)
            + filters[filterby]["domain"]
        )
        values = super()._prepare_sale_portal_rendering_values(
            page=page,
            date_begin=date_begin,
            date_end=date_end,
            sortby=sortby,
            quotation_page=quotation_page,
            **kwargs,
        )
        url_args = {
            "date_begin": date_begin,
            "date_end": date_end,
            "sortby": values.get("sortby"),
            "search": search,
            "search_in": search_in,
            "filterby": filterby,
        }
        pager = values["pager"]
        # the same pages, with links that keep the search (sale's pager only
        # carries the dates and the sorting)
        values["pager"] = portal_pager(
            url=values["default_url"],
            total=pager["page_count"] * self._items_per_page,
            page=pager["page"]["num"],
            step=self._items_per_page,
            url_args={k: v for k, v in url_args.items() if v},
        )
        values.update(
            search=search or "",
            search_in=search_in,
            searchbar_inputs=inputs,
        )
        if not quotation_page:
            values.update(filterby=filterby, searchbar_filters=filters)
        return values
