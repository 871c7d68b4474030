# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class EcrmFaqArticle(models.Model):
    _inherit = "ecrm.faq.article"

    vote_ids = fields.One2many("ecrm.faq.vote", "article_id", string="Votes")
    helpful_count = fields.Integer(
        string="Helpful", compute="_compute_vote_counts", compute_sudo=True
    )
    unhelpful_count = fields.Integer(
        string="Not helpful", compute="_compute_vote_counts", compute_sudo=True
    )

    def _compute_vote_counts(self):
        groups = self.env["ecrm.faq.vote"]._read_group(
            [("article_id", "in", self.ids)], ["article_id", "helpful"], ["__count"]
        )
        counts = {(article.id, helpful): n for article, helpful, n in groups}
        for article in self:
            article.helpful_count = counts.get((article.id, True), 0)
            article.unhelpful_count = counts.get((article.id, False), 0)
