# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tools import SQL
from odoo.tools.sql import column_exists

# the users who received the former weekly digest, kept for post-migrate
SUBSCRIBERS = "ecrm_metrics_digest_subscribers"
# the records of the former digest: its flag's views go before the field
OLD_VIEWS = ("res_users_view_form_preferences", "res_users_view_form")


def migrate(cr, version):
    """The weekly digest is now Odoo's (``digest.digest``): the users who had
    the former one's flag (``res_users.ecrm_metrics_digest``, a field that
    goes with this version) are kept for post-migrate, which subscribes them;
    the views that showed the flag go now (their field is gone)."""
    if column_exists(cr, "res_users", "ecrm_metrics_digest"):
        cr.execute(
            SQL(
                """
                DROP TABLE IF EXISTS %(table)s;
                CREATE TABLE %(table)s AS
                SELECT id AS user_id FROM res_users WHERE ecrm_metrics_digest
                """,
                table=SQL.identifier(SUBSCRIBERS),
            )
        )
    cr.execute(
        SQL(
            """
            WITH xmlid AS (
                DELETE FROM ir_model_data
                 WHERE module = 'ecrm_metrics' AND model = 'ir.ui.view'
                   AND name = ANY(%s)
                RETURNING res_id
            )
            DELETE FROM ir_ui_view WHERE id IN (SELECT res_id FROM xmlid)
            """,
            list(OLD_VIEWS),
        )
    )
