# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Benchmark of the eCRM dashboard (ecrm_metrics) — not a test.

On a database filled by ``generator.py`` (with ecrm_metrics installed), for the
first company: the full rebuild of the daily snapshots; the incremental refresh
after one day of new orders (the orders of the last generated day are
quotations at the rebuild, confirmed after it);
``get_kpis`` (without and with a channel filter), ``get_cohorts`` and the whole
screen (``get_dashboard``) over the last 12 months, the same figures computed
from the sources only (and whether they are equal); and, on the same data,
the same headline figures (orders, revenue, customers per month) with the ORM's
``_read_group`` on ``sale.order``. Prints the times and the ratios.

    python tests/bench/bench_metrics.py --config odoo.conf --db NAME
"""

import argparse
import resource
import time
from datetime import timedelta

import odoo
from odoo import fields


def timed(function, cr):
    cr.execute("CHECKPOINT")
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", required=True)
    parser.add_argument("--db", required=True)
    args = parser.parse_args()
    odoo.tools.config.parse_config(["-c", args.config, "-d", args.db])
    registry = odoo.modules.registry.Registry(args.db)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        company = env["res.company"].search([], order="id", limit=1)
        env = env(context={"allowed_company_ids": company.ids})
        dashboard = env["ecrm.dashboard"]
        engine = env["ecrm.metrics.engine"]
        cr.execute(
            "SELECT count(*), max(date_order)::date FROM sale_order"
            " WHERE state = 'sale' AND company_id = %s",
            [company.id],
        )
        orders, last_day = cr.fetchone()
        print(f"data: {orders} confirmed orders, last on {last_day}")
        env["ecrm.profile"]._ecrm_recompute_all()
        cr.commit()

        # one day of new orders: the last day's orders are quotations at the
        # rebuild, confirmed after it, and their customers' profiles written
        # (the eCRM engine recomputes them on confirmation)
        cr.execute(
            "UPDATE sale_order SET state = 'sent' WHERE state = 'sale'"
            " AND company_id = %s AND date_order::date = %s RETURNING id",
            [company.id, last_day],
        )
        day_orders = [row[0] for row in cr.fetchall()]
        cr.commit()
        full, _ = timed(lambda: engine._ecrm_refresh_company(company, full=True), cr)
        cr.commit()
        cr.execute(
            "UPDATE sale_order SET state = 'sale',"
            " write_date = now() at time zone 'UTC' WHERE id = ANY(%s)",
            [day_orders],
        )
        cr.execute(
            "UPDATE ecrm_profile SET write_date = now() at time zone 'UTC'"
            " WHERE company_id = %s AND partner_id IN ("
            "SELECT ecrm_commercial_partner_id FROM sale_order WHERE id = ANY(%s))",
            [company.id, day_orders],
        )
        cr.commit()
        incremental, _ = timed(lambda: engine._ecrm_refresh_company(company), cr)
        cr.commit()
        end = last_day
        start = end - timedelta(days=364)
        kpis_time, kpis = timed(lambda: dashboard.get_kpis(start, end), cr)
        channel_time, _ = timed(
            lambda: dashboard.get_kpis(start, end, channels=["backend"]), cr
        )
        cohorts_time, cohorts = timed(lambda: dashboard.get_cohorts(start, end), cr)
        screen_time, _ = timed(lambda: dashboard.get_dashboard(start, end), cr)
        # the same figures computed from the sources only
        live_time, live = timed(
            lambda: dashboard._ecrm_kpis(
                (start, end), company, dashboard._ecrm_filters(), snapshot=False
            ),
            cr,
        )
        differ = [
            key
            for key, value in live.items()
            if (value is None) != (kpis[key] is None)
            or (
                value is not None and abs(value - kpis[key]) > 1e-6 * max(1, abs(value))
            )
        ]

        def orm_figures():
            domain = [
                ("state", "=", "sale"),
                ("company_id", "=", company.id),
                ("date_order", ">=", fields.Datetime.to_string(start)),
                ("date_order", "<", fields.Datetime.to_string(end + timedelta(days=1))),
            ]
            orders = env["sale.order"]
            per_month = orders._read_group(
                domain, ["date_order:month"], ["__count", "amount_untaxed:sum"]
            )
            customers = orders._read_group(domain, [], ["partner_id:count_distinct"])
            return per_month, customers

        orm_time, _ = timed(orm_figures, cr)
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        cr.rollback()

    print(f"full rebuild of the snapshots   {full:8.2f} s")
    print(
        f"incremental, one day of orders  {incremental:8.2f} s"
        f"   ({len(day_orders)} orders)"
    )
    print(
        f"get_kpis, 12 months             {kpis_time:8.3f} s"
        f"   ({kpis['orders']} orders, {kpis['active_customers']} active customers)"
    )
    print(f"get_kpis, one channel           {channel_time:8.3f} s")
    print(
        f"get_cohorts, 12 months          {cohorts_time:8.3f} s {len(cohorts)} cohorts"
    )
    print(f"get_dashboard (whole screen)    {screen_time:8.3f} s")
    print(
        f"get_kpis from the sources only  {live_time:8.3f} s"
        f"   (same figures: {', '.join(differ) + ' differ' if differ else 'yes'})"
    )
    print(
        f"_read_group on sale.order       {orm_time:8.3f} s"
        "   (orders and revenue per month, distinct customers: a subset of the figures)"
    )
    print(f"ratio get_kpis / _read_group    {kpis_time / orm_time:8.2f}×")
    print(f"ratio get_cohorts / _read_group {cohorts_time / orm_time:8.2f}×")
    print(f"peak memory (RSS)               {peak_mb:8.0f} MB")


if __name__ == "__main__":
    main()
