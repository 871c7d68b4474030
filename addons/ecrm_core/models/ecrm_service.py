# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class EcrmService(models.Model):
    """A service a customer may be granted by their eCRM level.

    Other addons check a service by its technical ``code`` through
    ``res.partner._ecrm_has_service(code)``, never by record id.
    """

    _name = "ecrm.service"
    _description = "eCRM Service"
    _order = "sequence, name"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(
        required=True,
        help="Technical code other modules check, e.g. order_tracking.",
    )
    sequence = fields.Integer(default=10)
    description = fields.Text(translate=True)
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("code_unique", "UNIQUE(code)", "The code of an eCRM service must be unique."),
    ]
