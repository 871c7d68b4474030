# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import re

from odoo import api, fields, models
from odoo.tools import SQL, html2plaintext

WORD = re.compile(r"\w{3,}", re.UNICODE)
# PostgreSQL text search configurations (stemming, stop words) by language.
TEXT_SEARCH_CONFIGS = {
    "da": "danish",
    "de": "german",
    "en": "english",
    "es": "spanish",
    "fi": "finnish",
    "fr": "french",
    "it": "italian",
    "nl": "dutch",
    "pt": "portuguese",
    "ru": "russian",
    "sv": "swedish",
}


class EcrmFaqArticle(models.Model):
    """A self-service article, suggested by the helpdesk autoresponder and
    published on the portal's help pages."""

    _name = "ecrm.faq.article"
    _description = "eCRM FAQ Article"
    _order = "sequence, id"

    name = fields.Char(string="Question", required=True, translate=True)
    body = fields.Html(string="Answer", translate=True, sanitize=True)
    category_id = fields.Many2one("ecrm.faq.category", index=True)
    keywords = fields.Char(help="Extra words customers use for this question.")
    sequence = fields.Integer(default=10)
    is_published = fields.Boolean(string="Published", default=True)
    company_id = fields.Many2one("res.company")

    @api.model
    def _ecrm_match(self, text, limit=3):
        """Published articles sharing the most words with ``text``, best first
        (PostgreSQL full-text ranking, one query)."""
        words = {word.lower() for word in WORD.findall(html2plaintext(text or ""))}
        if not words:
            return self.browse()
        lang = self.env.lang or "en_US"
        config = TEXT_SEARCH_CONFIGS.get(lang.split("_")[0], "simple")
        self.env.cr.execute(
            SQL(
                """
                SELECT a.id
                  FROM ecrm_faq_article a,
                       to_tsvector(%(config)s::regconfig,
                           COALESCE(a.name ->> %(lang)s, a.name ->> 'en_US') || ' '
                           || COALESCE(a.keywords, '') || ' '
                           || COALESCE(a.body ->> %(lang)s, a.body ->> 'en_US', '')
                       ) AS document,
                       to_tsquery(%(config)s::regconfig, %(query)s) AS query
                 WHERE a.is_published
                   AND (a.company_id IS NULL OR a.company_id = %(company)s)
                   AND document @@ query
                 ORDER BY ts_rank(document, query) DESC, a.sequence, a.id
                 LIMIT %(limit)s
                """,
                lang=lang,
                config=config,
                query=" | ".join(sorted(words)),
                company=self.env.company.id,
                limit=limit,
            )
        )
        return self.browse(row[0] for row in self.env.cr.fetchall())
