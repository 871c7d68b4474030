# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).


def migrate(cr, version):
    """The new return and cohort snapshots start empty, and an incremental
    refresh only adds the customers whose orders changed: the next run of
    the refresh cron rebuilds every company."""
    cr.execute("UPDATE res_company SET ecrm_metrics_refreshed_at = NULL")
