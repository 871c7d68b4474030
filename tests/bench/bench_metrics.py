# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Benchmark of the eCRM dashboard (ecrm_metrics) — not a test.

On a database filled by ``generator.py`` (with ecrm_metrics installed), for the
first company: the full rebuild of the daily snapshots; the incremental refresh
after one day of new orders (the orders of the last complete day are
quotations at the rebuild, confirmed after it);
``get_kpis`` (without filter, with one channel, with one level: the
generator's orders are given their customer's level and a channel first),
``get_cohorts`` and the whole screen (``get_dashboard``, without filter, with
one level, with one channel) over the last 12 months, the same figures
computed from the sources only for each filter (and whether they are equal,
the cohorts too); and, on the same data,
the same headline figures (orders, revenue, customers per month) with the ORM's
``_read_group`` on ``sale.order``. Prints the times and the ratios.

    python tests/bench/bench_metrics.py --config odoo.conf --db NAME
"""

import argparse
import os
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
        # the generator confirms every order through the backend without a
        # level: once, the filters are given something to filter (each order
        # at its customer's current level, a third through each channel)
        cr.execute("SELECT 1 FROM sale_order WHERE ecrm_level_id IS NOT NULL LIMIT 1")
        if not cr.fetchone():
            cr.execute(
                """
                UPDATE sale_order so
                   SET ecrm_level_id = pr.level_id,
                       ecrm_channel = (ARRAY['website', 'portal', 'backend'])[
                           so.id % 3 + 1]
                  FROM ecrm_profile pr
                 WHERE pr.company_id = so.company_id
                   AND pr.partner_id = so.ecrm_commercial_partner_id
                """
            )
            cr.execute("ANALYZE sale_order")
            cr.commit()

        # one day of new orders: the orders of the last complete day (the
        # generated data's last day stops at the hour it was generated) are
        # quotations at the rebuild, confirmed after it, and their customers'
        # profiles written (the eCRM engine recomputes them on confirmation)
        full_day = last_day - timedelta(days=1)
        cr.execute(
            "UPDATE sale_order SET state = 'sent' WHERE state = 'sale'"
            " AND company_id = %s AND date_order::date = %s RETURNING id",
            [company.id, full_day],
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
        # the most frequent level at confirmation and a channel: the filters
        cr.execute(
            "SELECT ecrm_level_id FROM sale_order WHERE state = 'sale'"
            " AND company_id = %s AND ecrm_level_id IS NOT NULL"
            " GROUP BY 1 ORDER BY count(*) DESC LIMIT 1",
            [company.id],
        )
        level_ids = [row[0] for row in cr.fetchall()]
        filters = {
            "": {},
            "one channel": {"channels": ["backend"]},
            "one level": {"level_ids": level_ids},
        }
        kpis_times, screen_times, same = {}, {}, {}
        for name, kwargs in filters.items():
            kpis_times[name], kpis = timed(
                lambda kwargs=kwargs: dashboard.get_kpis(start, end, **kwargs), cr
            )
            screen_times[name], _ = timed(
                lambda kwargs=kwargs: dashboard.get_dashboard(start, end, **kwargs),
                cr,
            )
            # the same figures and cohorts computed from the sources only
            checked = dashboard._ecrm_filters(**kwargs)
            live_time, live = timed(
                lambda checked=checked: dashboard._ecrm_kpis(
                    (start, end), company, checked, snapshot=False
                ),
                cr,
            )
            differ = [
                key
                for key, value in live.items()
                if (value is None) != (kpis[key] is None)
                or (
                    value is not None
                    and abs(value - kpis[key]) > 1e-6 * max(1, abs(value))
                )
            ]
            if dashboard._ecrm_cohorts(
                (start, end), company, checked
            ) != dashboard._ecrm_cohorts((start, end), company, checked, False):
                differ.append("cohorts")
            same[name] = ", ".join(differ) + " differ" if differ else "yes"
            if not name:
                figures, unfiltered_live_time = kpis, live_time
        kpis_time = kpis_times[""]
        cohorts_time, cohorts = timed(lambda: dashboard.get_cohorts(start, end), cr)

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
        f"   ({len(day_orders)} orders of {full_day})"
    )
    print(
        f"get_kpis, 12 months             {kpis_time:8.3f} s"
        f"   ({figures['orders']} orders,"
        f" {figures['active_customers']} active customers)"
    )
    print(f"get_kpis, one channel           {kpis_times['one channel']:8.3f} s")
    print(f"get_kpis, one level             {kpis_times['one level']:8.3f} s")
    print(
        f"get_cohorts, 12 months          {cohorts_time:8.3f} s {len(cohorts)} cohorts"
    )
    print(f"get_dashboard (whole screen)    {screen_times['']:8.3f} s")
    print(f"get_dashboard, one channel      {screen_times['one channel']:8.3f} s")
    print(f"get_dashboard, one level        {screen_times['one level']:8.3f} s")
    print(
        f"get_kpis from the sources only  {unfiltered_live_time:8.3f} s"
        f"   (same figures: {same['']})"
    )
    for name in ("one channel", "one level"):
        print(f"same figures, {name:17} {same[name]}")
    print(
        f"_read_group on sale.order       {orm_time:8.3f} s"
        "   (orders and revenue per month, distinct customers: a subset of the figures)"
    )
    print(f"ratio get_kpis / _read_group    {kpis_time / orm_time:8.2f}×")
    print(f"ratio get_cohorts / _read_group {cohorts_time / orm_time:8.2f}×")
    print(f"peak memory (RSS)               {peak_mb:8.0f} MB")
    print(
        "load average (1, 5, 15 min) at the end: {:.2f} {:.2f} {:.2f}".format(
            *os.getloadavg()
        )
    )


if __name__ == "__main__":
    main()
