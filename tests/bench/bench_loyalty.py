# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Benchmark of the eCRM coupon issuance — not a test.

On a database filled by ``generator.py`` (with ``ecrm_loyalty`` installed and
the profiles computed), issues ``--coupons`` personalised coupons (past
purchases: each coupon restricted to the products its customer bought) with
their mails queued, through ``ecrm.coupon.engine``; then, rolled back too, the
same number of coupons for the same customers through Odoo's own
``loyalty.generate.wizard`` (with the same mail queued by the program's
communication plan). Ours without mails, then with them, then the wizard's
the same way. Prints the times, their ratio, the audience query's time and
the peak memory of this process after our runs (before the wizard's).

    python tests/bench/bench_loyalty.py --config odoo.conf --db NAME [--coupons 100000]
"""

import argparse
import resource
import time
from unittest.mock import patch

import odoo
from odoo import Command
from odoo.tools import SQL


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--coupons", type=int, default=100000)
    parser.add_argument("--batch", type=int, default=10000)
    parser.add_argument(
        "--mails",
        choices=["both", "without", "with"],
        default="both",
        help="time without mails, with queued mails, or both",
    )
    parser.add_argument(
        "--wizard",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also time loyalty.generate.wizard (with mails: about 35 coupons/s)",
    )
    args = parser.parse_args()
    odoo.tools.config.parse_config(["-c", args.config, "-d", args.db])
    registry = odoo.modules.registry.Registry(args.db)
    # importable once the registry has set the addons path up
    from odoo.addons.ecrm_loyalty.models.ecrm_coupon_engine import generate_code

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

        def ours(mail):
            rule.mail_template_id = template if mail else False
            start = time.perf_counter()
            issued = 0
            while True:
                drawn, remaining = engine._ecrm_issue(rule, batch_size=args.batch)
                issued += drawn
                if not remaining:
                    break
            env.flush_all()
            elapsed = time.perf_counter() - start
            cr.execute(
                "SELECT count(mail_id), array_agg(partner_id) FILTER"
                " (WHERE card_id IS NOT NULL) FROM ecrm_coupon_issue"
                " WHERE rule_id = %s",
                [rule.id],
            )
            mails, partner_ids = cr.fetchone()
            # not rule.issue_ids.partner_id: the ORM takes longer to read
            # them than the issuance to create them
            partners = env["res.partner"].browse(partner_ids or [])
            cr.rollback()
            return issued, mails, elapsed, partners

        def wizard(partners, mail):
            program.communication_plan_ids.trigger = (
                "create" if mail else "points_reach"
            )
            start = time.perf_counter()
            # Odoo's codes have 32 random bits: among 100,000 of them two are
            # alike more often than not (about 1.2 pairs expected), and the
            # wizard's insert fails on the unique code; it gets ours instead
            # (as cheap to draw)
            with patch.object(
                type(env["loyalty.card"]),
                "_generate_code",
                lambda self: generate_code(),
            ):
                env["loyalty.generate.wizard"].create(
                    {
                        "program_id": program.id,
                        "mode": "selected",
                        "customer_ids": [Command.set(partners.ids)],
                        "points_granted": 1,
                    }
                ).generate_coupons()
                env.flush_all()
            elapsed = time.perf_counter() - start
            cr.rollback()
            return elapsed

        print(f"audience: {size} customers, query {audience_time:.2f} s", flush=True)
        modes = {"both": (False, True), "without": (False,), "with": (True,)}
        labels = {False: "without mails", True: "with queued mails"}
        # ours first: the peak memory printed is ours, not the wizard's
        runs = {}
        for mail in modes[args.mails]:
            issued, mails, elapsed, partners = runs[mail] = ours(mail)
            peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(
                f"ecrm_loyalty {labels[mail]}: {issued} personalised coupons,"
                f" {mails} mails in {elapsed:.2f} s ({issued / elapsed:.0f}/s),"
                f" peak RSS {peak_mb:.0f} MB",
                flush=True,
            )
            env.invalidate_all()
        for mail in modes[args.mails] if args.wizard else ():
            _issued, _mails, elapsed, partners = runs[mail]
            theirs = wizard(partners, mail)
            print(
                f"loyalty.generate.wizard {labels[mail]}: {len(partners)} coupons in"
                f" {theirs:.2f} s   ratio wizard/ours {theirs / elapsed:.1f}×",
                flush=True,
            )
            env.invalidate_all()
        rule.unlink()
        program.active = False
        program.unlink()
        cr.commit()


if __name__ == "__main__":
    main()
