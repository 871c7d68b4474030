"""Benchmark of the eCRM recompute (levels, lifecycle, RFM, CLV) — not a test.

Runs on a database filled by ``generator.py`` and prints, for the first company,
the time of ``res.partner._ecrm_recompute_all()``: the first one, which creates
every profile; a second one the same day, which finds nothing to rewrite; and the
daily one, the next day, when recency, churn risk and CLV of every customer move.
Then the daily run's ratio to an ORM loop over a sample of customers
(extrapolated to all of them, rolled back) and to a bare ``GROUP BY`` over the
same orders, the time of one customer's incremental run (what each order
confirmation adds) and the peak memory of this process.

    python tests/bench/bench_recompute.py --config odoo.conf --db NAME [--sample 10000]
"""

import argparse
import os
import resource
import time
from datetime import timedelta

from freezegun import freeze_time

import odoo
from odoo import fields

INCREMENTAL_SAMPLE = 200


def orm_loop(env, partners, window_days):
    """The naive way: one ORM search and one write per customer."""
    today = fields.Date.today()
    for partner in partners:
        orders = env["sale.order"].search(
            [("partner_id", "child_of", partner.id), ("state", "=", "sale")]
        )
        if not orders:
            continue
        dates = [order.date_order.date() for order in orders]
        in_window = orders.filtered(
            lambda o: (today - o.date_order.date()).days <= window_days
        )
        partner.ecrm_profile_id.write(
            {
                "last_order_date": max(dates),
                "frequency": len(in_window),
                "monetary": sum(
                    o.amount_untaxed / (o.currency_rate or 1) for o in in_window
                ),
            }
        )
    env.flush_all()


def timed(function, cr=None):
    if cr is not None:
        # write out what earlier steps left in the cache, so that a checkpoint
        # does not land in the middle of this measure (superuser only)
        cr.execute("CHECKPOINT")
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--sample", type=int, default=10000)
    args = parser.parse_args()
    odoo.tools.config.parse_config(["-c", args.config, "-d", args.db])
    registry = odoo.modules.registry.Registry(args.db)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        company = env["res.company"].search([], order="id", limit=1)
        env = env(context={"allowed_company_ids": company.ids})
        cr.execute(
            "SELECT count(DISTINCT p.commercial_partner_id), count(*)"
            "  FROM sale_order so JOIN res_partner p ON p.id = so.partner_id"
            " WHERE so.state = 'sale' AND so.company_id = %s",
            [company.id],
        )
        customers, orders = cr.fetchone()
        print(f"data: {customers} customers with {orders} confirmed orders")

        bare_sql = (
            "SELECT partner_id, count(*), sum(amount_total), max(date_order)"
            "  FROM sale_order WHERE state = 'sale' GROUP BY partner_id"
        )
        # best of three, so that the orders are in the cache as for ours
        bare = min(timed(lambda: cr.execute(bare_sql), cr) for _run in range(3))
        recompute_all = env["res.partner"]._ecrm_recompute_all
        tomorrow = fields.Date.today() + timedelta(days=1)
        first = timed(recompute_all, cr)
        cr.commit()
        with freeze_time(tomorrow, tick=True):
            daily_rules = timed(recompute_all, cr)
        cr.rollback()
        # the predictive model: fit (reading the sufficient statistics
        # included), then the runs score every customer with it
        fit = timed(lambda: env["ecrm.clv.model"]._ecrm_fit(company), cr)
        model = env["ecrm.clv.model"].search([("company_id", "=", company.id)], limit=1)
        fitted = (
            f"{model.state}: {model.customers} customers, {model.repeaters} repeaters;"
            f" r={model.r:.3f} alpha={model.alpha:.2f} a={model.a:.3f}"
            f" b={model.b:.3f} p={model.p:.2f} q={model.q:.2f} gamma={model.gamma:.2f}"
        )
        cr.commit()
        same_day = timed(recompute_all, cr)
        cr.commit()
        with freeze_time(tomorrow, tick=True):
            daily = timed(recompute_all, cr)
            # what a coupon audience or a sorted customer list asks of it
            audience = timed(
                lambda: env["res.partner"].search_count(
                    [("ecrm_predicted_clv", ">", 100), ("ecrm_p_alive", ">", 0.5)]
                )
            )
        cr.rollback()
        # ru_maxrss is a high-water mark: read it before the ORM loop runs.
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        cr.execute(
            "SELECT DISTINCT p.commercial_partner_id FROM sale_order so"
            "  JOIN res_partner p ON p.id = so.partner_id"
            " WHERE so.state = 'sale' LIMIT %s",
            [args.sample],
        )
        sample = env["res.partner"].browse(row[0] for row in cr.fetchall())
        loop = timed(lambda: orm_loop(env, sample, company.ecrm_window_days))
        loop_all = loop / max(len(sample), 1) * customers
        cr.rollback()
        # what each order confirmation adds: one customer's incremental run
        few = sample[:INCREMENTAL_SAMPLE]
        incremental = timed(lambda: [one._ecrm_recompute() for one in few]) / max(
            len(few), 1
        )
        cr.rollback()

    print(f"first _ecrm_recompute_all {first:9.2f} s   (creates every profile)")
    print(
        f"daily, rules of thumb    {daily_rules:10.2f} s   ratio daily/bare"
        f" {daily_rules / bare:6.2f}×"
    )
    print(f"predictive model fit     {fit:10.2f} s   ({fitted})")
    print(f"same day again           {same_day:10.2f} s   (scored: the model's curve)")
    print(f"daily, the next day      {daily:10.2f} s   (the same, and scores)")
    ratio = daily / bare
    print(f"bare GROUP BY            {bare:10.2f} s   ratio daily/bare {ratio:6.2f}×")
    print(f"audience by predicted CLV and P(alive) {audience:6.2f} s  (SQL)")
    print(
        f"ORM loop, {len(sample)} customers {loop:8.2f} s"
        f"   → {loop_all:.0f} s for all   ratio loop/daily {loop_all / daily:6.1f}×"
    )
    print(f"one customer's update    {incremental * 1000:10.1f} ms  (per order)")
    print(f"peak memory (RSS) after the recomputes {peak_mb:.0f} MB")
    print(
        "load average (1, 5, 15 min) at the end: {:.2f} {:.2f} {:.2f}".format(
            *os.getloadavg()
        )
    )


if __name__ == "__main__":
    main()
