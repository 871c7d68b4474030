# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class EcrmFaqCategory(models.Model):
    _name = "ecrm.faq.category"
    _description = "eCRM FAQ Category"
    _order = "sequence, name"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    article_ids = fields.One2many("ecrm.faq.article", "category_id")
