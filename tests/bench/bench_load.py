# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Multi-worker load benchmark (scripts/bench-load): many simulated customers
at once on an Odoo in prefork mode, for a bounded time, against 127.0.0.1 only.

    bench_load.py --config C --db D prepare --users N   # portal users, fixtures
    bench_load.py --url U --db D drive --seconds S --concurrency K [--suite]
    bench_load.py --config C --db D check               # nothing lost or doubled

``prepare`` gives N customers with orders a portal login (password = login)
and writes the fixtures the drivers need (their orders, a delivery's carrier,
secret and tracking reference per driver) to ``<db>.json``. ``drive`` runs K
threads, each signed in as one customer, looping over the portal pages (and,
with ``--suite``, the guest lookup and the signed carrier webhook) until S
seconds have passed; it prints throughput, p50/p99 latency and errors per kind
of request. ``check`` counts duplicates the suite's unique keys must prevent.
"""

import argparse
import hashlib
import hmac
import json
import re
import statistics
import threading
import time
from collections import defaultdict

import requests

import odoo


def env_of(args):
    odoo.tools.config.parse_config(["-c", args.config, "-d", args.db])
    return odoo.modules.registry.Registry(args.db)


def prepare(args):
    registry = env_of(args)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        cr.execute(
            """
            SELECT p.id
              FROM res_partner p
             WHERE p.is_company IS NOT TRUE AND p.email IS NOT NULL
               AND EXISTS (SELECT FROM sale_order so
                            WHERE so.partner_id = p.id AND so.state = 'sale')
             ORDER BY p.id
             LIMIT %s
            """,
            [args.users],
        )
        partners = env["res.partner"].browse(r[0] for r in cr.fetchall())
        portal = env.ref("base.group_portal")
        users = (
            env["res.users"]
            .with_context(no_reset_password=True)
            .create(
                [
                    {
                        "login": f"load{partner.id}",
                        "password": f"load{partner.id}",
                        "partner_id": partner.id,
                        "groups_id": [(6, 0, [portal.id])],
                    }
                    for partner in partners
                ]
            )
        )
        fixtures = []
        has_secret = "ecrm_webhook_secret" in env["delivery.carrier"]._fields
        for user in users:
            orders = env["sale.order"].search(
                [("partner_id", "=", user.partner_id.id), ("state", "=", "sale")],
                limit=5,
            )
            picking = orders.picking_ids.filtered(
                lambda p: p.carrier_tracking_ref and p.carrier_id and p.state == "done"
            )[:1]
            fixture = {
                "login": user.login,
                "orders": orders.ids,
                "reference": orders[:1].name,
                "email": user.partner_id.email,
            }
            if picking and has_secret:
                fixture["webhook"] = {
                    "carrier": picking.carrier_id.id,
                    "secret": picking.carrier_id.ecrm_webhook_secret,
                    "ref": picking.carrier_tracking_ref,
                }
            fixtures.append(fixture)
        cr.commit()
    with open(f"{args.out}/{args.db}.json", "w", encoding="utf-8") as f:
        json.dump(fixtures, f)
    print(f"{len(fixtures)} portal customers ready")


def login(base, login_):
    session = requests.Session()
    page = session.get(f"{base}/web/login", timeout=60).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    session.post(
        f"{base}/web/login",
        data={"login": login_, "password": login_, "csrf_token": token},
        timeout=60,
    ).raise_for_status()
    return session


def drive(args):
    with open(f"{args.out}/{args.db}.json", encoding="utf-8") as f:
        fixtures = json.load(f)
    base = args.url
    deadline = time.monotonic() + args.seconds
    timings = defaultdict(list)
    errors = defaultdict(int)
    lock = threading.Lock()
    # one event per delivery, replayed: the webhook must apply it once
    event_time = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime())

    def record(kind, started, ok):
        elapsed = time.monotonic() - started
        with lock:
            timings[kind].append(elapsed)
            if not ok:
                errors[kind] += 1

    def customer(fixture):
        session = login(base, fixture["login"])
        guest = requests.Session()
        n = 0
        while time.monotonic() < deadline:
            order = fixture["orders"][n % len(fixture["orders"])]
            pages = [
                ("GET /my", "/my"),
                ("GET /my/orders", "/my/orders"),
                ("GET /my/orders/<id>", f"/my/orders/{order}"),
            ]
            for kind, path in pages:
                t = time.monotonic()
                reply = session.get(base + path, timeout=120)
                record(kind, t, reply.status_code == 200)
            if args.suite:
                t = time.monotonic()
                form = guest.get(f"{base}/track", timeout=120)
                match = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
                reply = guest.post(
                    f"{base}/track",
                    data={
                        "reference": fixture["reference"],
                        "email": fixture["email"],
                        "csrf_token": match.group(1) if match else "",
                    },
                    allow_redirects=False,
                    timeout=120,
                )
                # 303 to the order, or 429 once this client's tries are used up
                record("POST /track", t, reply.status_code in (303, 429))
                hook = fixture.get("webhook")
                if hook:
                    body = json.dumps(
                        {
                            "tracking_ref": hook["ref"],
                            "status": "on_the_way",
                            "event_time": event_time,
                        }
                    ).encode()
                    sig = hmac.new(hook["secret"].encode(), body, hashlib.sha256)
                    t = time.monotonic()
                    reply = guest.post(
                        f"{base}/ecrm/tracking/{hook['carrier']}",
                        data=body,
                        headers={
                            "Content-Type": "application/json",
                            "X-Ecrm-Signature": f"sha256={sig.hexdigest()}",
                        },
                        timeout=120,
                    )
                    record("POST webhook", t, reply.status_code == 200)
            n += 1

    threads = [
        threading.Thread(target=customer, args=(fixtures[i % len(fixtures)],))
        for i in range(args.concurrency)
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - started
    total = sum(len(v) for v in timings.values())
    print(
        f"{'request':24} {'count':>7} {'req/s':>7} {'p50 ms':>8} {'p99 ms':>8}"
        f" {'errors':>7}"
    )
    for kind, values in sorted(timings.items()):
        values.sort()
        p99 = values[min(len(values) - 1, int(len(values) * 0.99))]
        print(
            f"{kind:24} {len(values):>7} {len(values) / wall:>7.1f} "
            f"{statistics.median(values) * 1000:>8.0f} {p99 * 1000:>8.0f} "
            f"{errors[kind]:>7}"
        )
    print(f"{'all':24} {total:>7} {total / wall:>7.1f}   errors {sum(errors.values())}")


def check(args):
    """Counts what the unique keys and idempotent paths of the suite must keep
    single, after the load and the crons ran side by side."""
    registry = env_of(args)
    queries = {
        "profiles per (customer, company) > 1": (
            "ecrm_profile",
            """SELECT count(*) FROM (SELECT 1 FROM ecrm_profile
                GROUP BY partner_id, company_id HAVING count(*) > 1) d""",
        ),
        "tracking events doubled (delivery, state, date, source)": (
            "ecrm_tracking_event",
            """SELECT count(*) FROM (SELECT 1 FROM ecrm_tracking_event
                GROUP BY picking_id, state, date, source HAVING count(*) > 1) d""",
        ),
        "coupon issues per (rule, customer, period) > 1": (
            "ecrm_coupon_issue",
            """SELECT count(*) FROM (SELECT 1 FROM ecrm_coupon_issue
                GROUP BY rule_id, partner_id, period_start HAVING count(*) > 1) d""",
        ),
        "confirmed orders": (
            "sale_order",
            "SELECT count(*) FROM sale_order WHERE state = 'sale'",
        ),
    }
    with registry.cursor() as cr:
        for label, (table, query) in queries.items():
            cr.execute("SELECT to_regclass(%s)", [table])
            if cr.fetchone()[0]:
                cr.execute(query)
                print(f"{label:58} {cr.fetchone()[0]:>8}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config")
    parser.add_argument("--db", required=True)
    parser.add_argument("--url")
    parser.add_argument("--out", default=".")
    parser.add_argument("command", choices=["prepare", "drive", "check"])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--suite", action="store_true")
    args = parser.parse_args()
    {"prepare": prepare, "drive": drive, "check": check}[args.command](args)


if __name__ == "__main__":
    main()
