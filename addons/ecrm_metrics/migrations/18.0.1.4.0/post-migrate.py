# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import SUPERUSER_ID, api
from odoo.tools import SQL
from odoo.tools.sql import table_exists

SUBSCRIBERS = "ecrm_metrics_digest_subscribers"
# the former weekly digest's scheduled action and template (noupdate records,
# which an update does not delete)
OLD_RECORDS = ("ir_cron_ecrm_metrics_digest", "mail_template_ecrm_digest")


def migrate(cr, version):
    """The refresh moved to ``ecrm.metrics.engine``: its scheduled action (a
    record of a noupdate file, not updated) runs there. The eCRM managers who
    received the former weekly digest (kept by pre-migrate) are subscribed to
    the eCRM digest (``digest.digest``); the former digest's scheduled action
    and template go."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    cron = env.ref(
        "ecrm_metrics.ir_cron_ecrm_metrics_refresh", raise_if_not_found=False
    )
    if cron:
        cron.write(
            {
                "model_id": env["ir.model"]._get_id("ecrm.metrics.engine"),
                "code": "model._ecrm_refresh()",
            }
        )
    if table_exists(cr, SUBSCRIBERS):
        cr.execute(SQL("SELECT user_id FROM %s", SQL.identifier(SUBSCRIBERS)))
        users = env["res.users"].browse(row[0] for row in cr.fetchall())
        env["digest.digest"]._ecrm_subscribe_managers(users.exists())
        cr.execute(SQL("DROP TABLE %s", SQL.identifier(SUBSCRIBERS)))
    for name in OLD_RECORDS:
        record = env.ref(f"ecrm_metrics.{name}", raise_if_not_found=False)
        if record:
            record.unlink()
