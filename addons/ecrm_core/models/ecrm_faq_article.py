# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import json
import re

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL, html2plaintext

WORD = re.compile(r"\w{3,}", re.UNICODE)
# The text of a ticket matched against the articles: its beginning, at most so
# many distinct words. A pasted log of 0.5 MB (40,000 distinct words) made one
# query term per word; the first words of a request say what it is about.
MATCH_TEXT_CHARS = 20000
MATCH_WORDS = 64
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
PUBLISHER_GROUP = "ecrm_core.group_ecrm_manager"


class EcrmFaqArticle(models.Model):
    """A self-service article, suggested by the helpdesk autoresponder and
    published on the portal's help pages.

    Matching reads the column ``ecrm_document`` (a ``tsvector`` of the
    question, keywords and answer in every translation, each with its
    language's stemming; GIN-indexed), kept by ``init`` and by the writes of
    the article: the ORM has no field of that type."""

    _name = "ecrm.faq.article"
    _description = "eCRM FAQ Article"
    _order = "sequence, id"

    name = fields.Char(string="Question", required=True, translate=True)
    body = fields.Html(string="Answer", translate=True, sanitize=True)
    category_id = fields.Many2one("ecrm.faq.category", index=True)
    keywords = fields.Char(help="Extra words customers use for this question.")
    sequence = fields.Integer(default=10)
    is_published = fields.Boolean(
        string="Published",
        default=False,
        help="Published articles are shown on the portal and suggested to "
        "customers. Only eCRM managers publish.",
    )
    company_id = fields.Many2one("res.company")
    ecrm_can_publish = fields.Boolean(compute="_compute_ecrm_can_publish")

    def init(self):
        self.env.cr.execute(
            """
            ALTER TABLE ecrm_faq_article
                ADD COLUMN IF NOT EXISTS ecrm_document tsvector;
            CREATE INDEX IF NOT EXISTS ecrm_faq_article_ecrm_document_index
                ON ecrm_faq_article USING gin (ecrm_document);
            """
        )
        self._ecrm_update_document(SQL("TRUE"))

    @api.model_create_multi
    def create(self, vals_list):
        if any(vals.get("is_published") for vals in vals_list):
            self._ecrm_check_publisher()
        articles = super().create(vals_list)
        articles._ecrm_update_document()
        return articles

    def write(self, vals):
        if "is_published" in vals:
            self._ecrm_check_publisher()
        result = super().write(vals)
        if {"name", "body", "keywords"} & vals.keys():
            self._ecrm_update_document()
        return result

    def _update_field_translations(
        self, field_name, translations, digest=None, source_lang=None
    ):
        result = super()._update_field_translations(
            field_name, translations, digest=digest, source_lang=source_lang
        )
        self._ecrm_update_document()
        return result

    @api.depends_context("uid")
    def _compute_ecrm_can_publish(self):
        self.ecrm_can_publish = self._ecrm_is_publisher()

    def _ecrm_is_publisher(self):
        return self.env.su or self.env.user.has_group(PUBLISHER_GROUP)

    def _ecrm_check_publisher(self):
        if not self._ecrm_is_publisher():
            raise AccessError(
                self.env._("Only eCRM managers publish or unpublish FAQ articles.")
            )

    def _ecrm_update_document(self, where=None):
        """Rebuild the text-search document of these articles (or of the
        articles matching ``where``, an SQL condition on ``a``)."""
        if where is None:
            if not self:
                return
            where = SQL("a.id = ANY(%s)", self.ids)
        self.flush_model(["name", "body", "keywords"])
        self.env.cr.execute(
            SQL(
                """
                UPDATE ecrm_faq_article a
                   SET ecrm_document = (
                       SELECT string_agg(
                                  to_tsvector(
                                      COALESCE(
                                          %(configs)s::jsonb
                                              ->> split_part(lang, '_', 1),
                                          'simple'
                                      )::regconfig,
                                      COALESCE(a.name ->> lang, '') || ' '
                                      || COALESCE(a.keywords, '') || ' '
                                      || COALESCE(a.body ->> lang, '')
                                  )::text, ' '
                              )::tsvector
                         FROM (SELECT jsonb_object_keys(a.name)
                               UNION
                               SELECT jsonb_object_keys(COALESCE(a.body, '{}'::jsonb))
                              ) AS langs(lang)
                   )
                 WHERE %(where)s
                """,
                configs=json.dumps(TEXT_SEARCH_CONFIGS),
                where=where,
            )
        )

    @api.model
    def _ecrm_match(self, text, limit=3, company=None):
        """Published articles of ``company`` (default: the current one)
        sharing the most words with ``text``, best first: PostgreSQL
        full-text ranking over the stored, indexed documents, one query. Only
        the beginning of a long text counts (``MATCH_TEXT_CHARS``,
        ``MATCH_WORDS``)."""
        words = dict.fromkeys(
            word.lower()
            for word in WORD.findall(html2plaintext((text or "")[:MATCH_TEXT_CHARS]))
        )
        if not words:
            return self.browse()
        lang = self.env.lang or "en_US"
        config = TEXT_SEARCH_CONFIGS.get(lang.split("_")[0], "simple")
        company = company or self.env.company
        self.env["ecrm.faq.article"].flush_model(["is_published", "company_id"])
        # plainto_tsquery parses any text safely; its conjunction becomes a
        # disjunction: an article matches on any of the words.
        self.env.cr.execute(
            SQL(
                """
                WITH q AS (
                    SELECT replace(
                               plainto_tsquery(%(config)s::regconfig, %(words)s)::text,
                               ' & ', ' | '
                           )::tsquery AS query
                )
                SELECT a.id
                  FROM ecrm_faq_article a, q
                 WHERE a.is_published
                   AND (a.company_id IS NULL OR a.company_id = %(company)s)
                   AND a.ecrm_document @@ q.query
                 ORDER BY ts_rank(a.ecrm_document, q.query) DESC, a.sequence, a.id
                 LIMIT %(limit)s
                """,
                config=config,
                words=" ".join(list(words)[:MATCH_WORDS]),
                company=company.id,
                limit=limit,
            )
        )
        return self.browse(row[0] for row in self.env.cr.fetchall())
