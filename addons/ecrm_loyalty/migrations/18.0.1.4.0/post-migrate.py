# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tools import SQL


def migrate(cr, version):
    """The audience filter of an existing rule is read as the last user who
    wrote the rule (it was read as superuser)."""
    cr.execute(
        SQL(
            "UPDATE ecrm_coupon_rule SET audience_uid = write_uid"
            " WHERE audience_uid IS NULL"
        )
    )
