from . import models


def uninstall_hook(env):
    """Rebuild the timeline view without this addon's sources before their
    tables are dropped (a DROP TABLE ... CASCADE would drop the whole view)."""
    env["ecrm.interaction"].with_context(ecrm_loyalty_uninstall=True).init()
