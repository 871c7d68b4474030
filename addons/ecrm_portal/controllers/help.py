# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import hashlib
import hmac

from werkzeug.exceptions import NotFound

from odoo import http
from odoo.http import request

from .inputs import clean_text, parse_id

SEARCH_MAX = 200  # characters of a search used for matching


class EcrmHelp(http.Controller):
    """The public help pages: published FAQ articles of the visitor's language
    and the current company, searchable; "was this helpful?" on each."""

    def _articles(self):
        company = request.env.company
        return (
            request.env["ecrm.faq.article"]
            .sudo()
            .with_context(lang=request.env.lang)
            .with_company(company)
        ), [
            ("is_published", "=", True),
            ("company_id", "in", [False, company.id]),
        ]

    @http.route("/help", type="http", auth="public", website=True, readonly=True)
    def ecrm_help(self, search="", **kw):
        articles, domain = self._articles()
        search = clean_text(search, SEARCH_MAX)
        found = articles._ecrm_match(search, limit=20) if search.strip() else None
        published = articles.search(domain)
        return request.render(
            "ecrm_portal.help_index",
            {
                "search": search,
                "found": found,
                "categories": published.category_id,
                "articles": published,
                "slug": request.env["ir.http"]._slug,
            },
        )

    def _article(self, slug):
        article_id = parse_id((slug or "").rsplit("-", 1)[-1])
        if not article_id:
            raise NotFound()
        articles, domain = self._articles()
        article = articles.search([("id", "=", article_id), *domain])
        if not article:
            raise NotFound()
        return article

    @http.route(
        "/help/<string:slug>", type="http", auth="public", website=True, readonly=True
    )
    def ecrm_help_article(self, slug, **kw):
        article = self._article(slug)
        return request.render(
            "ecrm_portal.help_article",
            {
                "article": article,
                "voted": kw.get("voted"),
                "slug": request.env["ir.http"]._slug,
            },
        )

    @http.route(
        "/help/<string:slug>/vote",
        type="http",
        auth="public",
        website=True,
        methods=["POST"],
    )
    def ecrm_help_vote(self, slug, helpful="", **kw):
        article = self._article(slug)
        if request.env.user._is_public():
            # one vote per client address (a fresh session is no new voter),
            # kept as a keyed digest rather than the address itself
            secret = (
                request.env["ir.config_parameter"].sudo().get_param("database.secret")
            )
            digest = hmac.new(
                secret.encode(),
                (request.httprequest.remote_addr or "").encode(),
                hashlib.sha256,
            ).hexdigest()
            voter = f"ip:{digest}"
        else:
            voter = f"u:{request.env.user.id}"
        request.env["ecrm.faq.vote"].sudo()._ecrm_vote(article, voter, helpful == "1")
        return request.redirect(
            f"/help/{request.env['ir.http']._slug(article)}?voted=1"
        )
