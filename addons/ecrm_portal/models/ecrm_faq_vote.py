# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models
from odoo.tools import SQL


class EcrmFaqVote(models.Model):
    """ "Was this helpful?" on a help page: one vote per voter and article
    (a signed-in user, or a client address for visitors), the last answer
    counts."""

    _name = "ecrm.faq.vote"
    _description = "eCRM FAQ Vote"

    article_id = fields.Many2one(
        "ecrm.faq.article", required=True, ondelete="cascade", index=True
    )
    voter = fields.Char(
        required=True, help="The user, or a digest of the visitor's client address."
    )
    helpful = fields.Boolean()

    _sql_constraints = [
        (
            "article_voter_uniq",
            "UNIQUE (article_id, voter)",
            "One vote per visitor and article.",
        )
    ]

    def _ecrm_vote(self, article, voter, helpful):
        """Record the visitor's answer; a second vote replaces the first
        (concurrent double clicks included)."""
        self.env["ecrm.faq.vote"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO ecrm_faq_vote (article_id, voter, helpful, create_date,
                                           write_date)
                VALUES (%s, %s, %s, now() at time zone 'UTC',
                        now() at time zone 'UTC')
                ON CONFLICT (article_id, voter)
                DO UPDATE SET helpful = EXCLUDED.helpful,
                              write_date = EXCLUDED.write_date
                """,
                article.id,
                voter,
                bool(helpful),
            )
        )
        self.env["ecrm.faq.vote"].invalidate_model()
        article.invalidate_recordset(["helpful_count", "unhelpful_count"])
