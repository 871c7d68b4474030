# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Benchmark of the eCRM coupon issuance — not a test.

On a database filled by ``generator.py`` (with ``ecrm_loyalty`` installed and
the profiles computed), issues ``--coupons`` personalised coupons (past
purchases: each coupon restricted to the products its customer bought) with
their mails queued, through ``ecrm.coupon.engine``; then, rolled back too, the
same number of coupons for the same customers through Odoo's own
``loyalty.generate.wizard`` (with the same mail queued by the program's
communication plan). Prints both times, their ratio, the audience query's time
and the peak memory of this process.

    python tests/bench/bench_loyalty.py --config odoo.conf --db NAME [--coupons 100000]
"""

import argparse
import resource
import time

import odoo
from odoo import Command
from odoo.tools import SQL


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--coupons", type=int, default=100000)
    parser.add_argument("--batch", type=int, default=10000)
    args = parser.parse_args()
    odoo.tools.config.parse_config(["-c", args.config, "-d", args.db])
    registry = odoo.modules.registry.Registry(args.db)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        company = env["res.company"].search([], order="id", limit=1)
        env = env(context={"allowed_company_ids": company.ids})
        template = env.ref("ecrm_loyalty.mail_template_ecrm_coupon")
        program = env["loyalty.program"].create(
            {
                "name": "Bench coupons",
                "program_type": "coupons",
                "company_id": company.id,
                "reward_ids": [
                    Command.create(
                        {"discount": 10, "discount_applicability": "specific"}
                    )
                ],
                "communication_plan_ids": [
                    Command.clear(),
                    Command.create(
                        {"trigger": "create", "mail_template_id": template.id}
                    ),
                ],
            }
        )
        rule = env["ecrm.coupon.rule"].create(
            {
                "name": "Bench: your favourites",
                "trigger": "purchase_history",
                "program_id": program.id,
                "lookback_days": 3650,
                "max_per_run": args.coupons,
                "mail_template_id": template.id,
            }
        )
        cr.commit()
        engine = env["ecrm.coupon.engine"]
        today = odoo.fields.Date.context_today(rule)
        audience = engine._ecrm_audience_sql(
            rule, today, rule._ecrm_period_start(today)
        )
        start = time.perf_counter()
        cr.execute(SQL("SELECT count(*) FROM (%s) a", audience))
        size = cr.fetchone()[0]
        audience_time = time.perf_counter() - start

        start = time.perf_counter()
        issued = 0
        while True:
            drawn, remaining = engine._ecrm_issue(rule, batch_size=args.batch)
            issued += drawn
            if not remaining:
                break
        env.flush_all()
        ours = time.perf_counter() - start
        cr.execute("SELECT count(*) FROM mail_mail WHERE model = 'loyalty.card'")
        mails = cr.fetchone()[0]
        partners = rule.issue_ids.partner_id
        cr.rollback()
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

        env.invalidate_all()
        start = time.perf_counter()
        wizard = env["loyalty.generate.wizard"].create(
            {
                "program_id": program.id,
                "mode": "selected",
                "customer_ids": [Command.set(partners.ids)],
                "points_granted": 1,
            }
        )
        wizard.generate_coupons()
        env.flush_all()
        theirs = time.perf_counter() - start
        cr.execute(
            "SELECT count(*) FROM loyalty_card WHERE program_id = %s", [program.id]
        )
        their_cards = cr.fetchone()[0]
        cr.rollback()
        rule.unlink()
        program.active = False
        program.unlink()
        cr.commit()

    print(f"audience: {size} customers, query {audience_time:.2f} s")
    print(
        f"ecrm_loyalty: {issued} coupons with their products, {mails} mails queued"
        f" in {ours:.2f} s ({issued / ours:.0f}/s)"
    )
    print(
        f"loyalty.generate.wizard: {their_cards} coupons in {theirs:.2f} s"
        f"   ratio wizard/ours {theirs / ours:.1f}×"
    )
    print(f"peak memory (RSS) after our issuance {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
