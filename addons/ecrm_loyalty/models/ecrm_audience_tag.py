# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models

# the kinds of tags: a categorical field of the eCRM profile each
TAG_KINDS = [("lifecycle_stage", "Lifecycle stage"), ("rfm_segment", "RFM segment")]


class EcrmAudienceTag(models.Model):
    """A value of a categorical field of the eCRM profile (a lifecycle stage,
    an RFM segment) that an audience picks from a list: a coupon rule's
    stages and segments are many2many tags to these records, one per value
    of the core's selections (data, not created by hand)."""

    _name = "ecrm.audience.tag"
    _description = "eCRM Audience Tag"
    _order = "kind, sequence, id"

    kind = fields.Selection(TAG_KINDS, required=True, readonly=True)
    code = fields.Char(required=True, readonly=True)
    name = fields.Char(required=True, readonly=True, translate=True)
    sequence = fields.Integer(readonly=True)

    _sql_constraints = [
        ("kind_code_unique", "UNIQUE(kind, code)", "One tag per value."),
    ]
