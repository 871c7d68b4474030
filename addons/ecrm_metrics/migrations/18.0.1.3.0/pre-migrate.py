# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).


def migrate(cr, version):
    """The days of the orders gained the order id: the table is created again
    by the update (empty), the rebuild below fills it."""
    cr.execute("DROP TABLE IF EXISTS ecrm_metrics_order_date")
