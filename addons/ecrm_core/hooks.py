# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tools import SQL
from odoo.tools.sql import column_exists


def post_init_hook(env):
    """The first recompute of every company (it creates every profile: long
    on a large database) runs in the scheduler as soon as possible, never in
    the request of the first order confirmed."""
    fill_order_channels(env.cr)
    env.ref("ecrm_core.ir_cron_ecrm_recompute")._trigger()


def fill_order_channels(cr):
    """The channel of the orders that existed before ecrm_core (new orders get
    theirs when created), in one statement: the website's orders, then those
    created by a portal user, the others in the backend."""
    website = (
        SQL("o.website_id IS NOT NULL")
        if column_exists(cr, "sale_order", "website_id")
        else SQL("FALSE")
    )
    cr.execute(
        SQL(
            """
            UPDATE sale_order o
               SET ecrm_channel = CASE
                       WHEN %s THEN 'website'
                       WHEN (SELECT u.share FROM res_users u WHERE u.id = o.create_uid)
                           THEN 'portal'
                       ELSE 'backend'
                   END
             WHERE o.ecrm_channel IS NULL
            """,
            website,
        )
    )


def uninstall_hook(env):
    # a plain table of the engine, no model's (see ecrm.profile.engine.init)
    env.cr.execute("DROP TABLE IF EXISTS ecrm_profile_dirty")
    # Profiles keep their level (ondelete restrict, so that no level in use can
    # be deleted): without them first, Odoo could not delete the levels, data
    # of this module, and would leave them behind.
    env.cr.execute("DELETE FROM ecrm_profile")
