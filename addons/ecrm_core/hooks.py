# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).


def post_init_hook(env):
    """The first recompute of every company (it creates every profile: long
    on a large database) runs in the scheduler as soon as possible, never in
    the request of the first order confirmed."""
    env.ref("ecrm_core.ir_cron_ecrm_recompute")._trigger()


def uninstall_hook(env):
    # a plain table of the engine, no model's (see ecrm.profile.engine.init)
    env.cr.execute("DROP TABLE IF EXISTS ecrm_profile_dirty")
    # Profiles keep their level (ondelete restrict, so that no level in use can
    # be deleted): without them first, Odoo could not delete the levels, data
    # of this module, and would leave them behind.
    env.cr.execute("DELETE FROM ecrm_profile")
