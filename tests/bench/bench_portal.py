# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Benchmark of the eCRM portal pages and the carrier webhook — not a test.

Creates a portal customer with ``--orders`` confirmed orders (default 200),
each delivered in two parts (a shipped delivery and its backorder: twice as
many deliveries), then serves ``/my``, ``/my/orders`` and ``/my/orders/<id>``
``--requests`` times each (default 200) through Odoo's WSGI application in
this process: with the eCRM suite, and the same pages with the eCRM part off
on the same data (a level without the order tracking service, the order
search switched off, the home without its blocks — Odoo's own pages). Prints
the median and 95th percentile server time, their ratio and the SQL queries
of each page; ``/my/home/blocks`` (the home's blocks, loaded after the home)
apart. Then posts signed carrier events (``on_the_way`` then ``delivered``
for every shipped delivery) to the webhook and prints the events applied per
second. Commits its data into ``--db``: use a throwaway database.

    python tests/bench/bench_portal.py --config odoo.conf --db NAME [--orders 200]
"""

import argparse
import contextlib
import hashlib
import hmac
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from unittest.mock import patch

from werkzeug.test import Client

import odoo
from odoo import Command
from odoo.service import security
from odoo.sql_db import db_connect

LOGIN = "ecrm_bench_portal"


def create_data(env, orders_count):
    """The customer, their orders and deliveries (committed by the caller)."""
    user = env["res.users"].create(
        {
            "name": "Bench Portal Customer",
            "login": LOGIN,
            "password": LOGIN,
            "email": "bench.portal@example.com",
            "groups_id": [Command.set([env.ref("base.group_portal").id])],
        }
    )
    partner = user.partner_id
    partner._ecrm_pin_level(
        env.ref("ecrm_core.ecrm_level_customer_centred").id, "bench"
    )
    product = env["product.product"].create(
        {"name": "Bench kettle", "type": "consu", "is_storable": True}
    )
    warehouse = env["stock.warehouse"].search(
        [("company_id", "=", env.company.id)], limit=1
    )
    env["stock.quant"]._update_available_quantity(
        product, warehouse.lot_stock_id, orders_count * 2
    )
    carrier = env["delivery.carrier"].create(
        {
            "name": "Bench carrier",
            "product_id": env["product.product"]
            .create({"name": "Bench shipping", "type": "service"})
            .id,
            "tracking_url": "https://track.example/<shipmenttrackingnumber>",
        }
    )
    orders = env["sale.order"].create(
        [
            {
                "partner_id": partner.id,
                "carrier_id": carrier.id,
                "order_line": [
                    Command.create({"product_id": product.id, "product_uom_qty": 2})
                ],
            }
            for _n in range(orders_count)
        ]
    )
    orders.action_confirm()
    shipped = orders.picking_ids
    for n, picking in enumerate(shipped):
        picking.carrier_tracking_ref = f"BENCH-{n:05d}"
    for move in shipped.move_ids:
        move.quantity = 1
        move.picked = True
    shipped._action_done()  # one unit shipped, its backorder waits
    return user, orders, shipped, carrier


def login(client, registry, db, uid):
    session = odoo.http.root.session_store.new()
    session.update(odoo.http.get_default_session(), db=db)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, uid, {})
        session.uid = uid
        session.login = LOGIN
        session.session_token = security.compute_session_token(session, env)
        session.context = dict(env["res.users"].context_get())
    odoo.http.root.session_store.save(session)
    # werkzeug 2.x, as Odoo 18 requires: set_cookie(server_name, key, value)
    client.set_cookie("localhost", "session_id", session.sid)


def measure(client, url, requests):
    for _n in range(10):  # caches, access tokens: once, as on any page
        assert client.get(url).status_code == 200, url
    times = []
    queries = odoo.sql_db.sql_counter
    for _n in range(requests):
        start = time.perf_counter()
        reply = client.get(url)
        times.append(time.perf_counter() - start)
        assert reply.status_code == 200, url
    queries = (odoo.sql_db.sql_counter - queries) / requests
    return {
        "median": statistics.median(times) * 1000,
        "p95": statistics.quantiles(times, n=20)[-1] * 1000,
        "queries": queries,
    }


def stock_pages():
    """The eCRM part off for /my/orders (Odoo's own list values) and /my (no
    home blocks requested: they are a request of their own)."""
    from odoo.addons.ecrm_portal.controllers.sale_portal import EcrmSalePortal
    from odoo.addons.sale.controllers.portal import CustomerPortal

    def sale_values(self, **kw):
        return CustomerPortal._prepare_sale_portal_rendering_values(self, **kw)

    return patch.object(
        EcrmSalePortal, "_prepare_sale_portal_rendering_values", sale_values
    )


def set_level(registry, uid, xmlid=None):
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        partner = env["res.users"].browse(uid).partner_id
        level = (
            env.ref(xmlid)
            if xmlid
            else env["ecrm.level"].search(
                [("service_ids.code", "!=", "order_tracking")], limit=1
            )
        )
        partner._ecrm_pin_level(level.id, "bench")


def signed(secret, ref, status, when):
    body = json.dumps({"tracking_ref": ref, "status": status, "event_time": when})
    digest = hmac.new(secret.encode(), body.encode(), hashlib.sha256).hexdigest()
    return body.encode(), {
        "Content-Type": "application/json",
        "X-Ecrm-Signature": f"sha256={digest}",
    }


def waves(secret, refs):
    """The events of ``refs``: every ``on_the_way``, then every ``delivered``
    (a delivery's events in the order the carrier sends them)."""
    return [
        [
            signed(secret, ref, status, f"2026-11-{day:02d}T10:00:00+00:00")
            for ref in refs
        ]
        for status, day in (("on_the_way", 20), ("delivered", 21))
    ]


def webhook(client, carrier_id, secret, refs):
    """One request at a time, in this process."""
    start = time.perf_counter()
    count = 0
    for wave in waves(secret, refs):
        for body, headers in wave:
            reply = client.post(
                f"/ecrm/tracking/{carrier_id}", data=body, headers=headers
            )
            assert reply.status_code == 200, reply.get_data(as_text=True)
            count += 1
    return count, time.perf_counter() - start


def webhook_concurrent(port, carrier_id, secret, refs, threads):
    """``threads`` clients posting at once to a server with HTTP workers."""

    def post(event):
        body, headers = event
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        connection.request(
            "POST", f"/ecrm/tracking/{carrier_id}", body=body, headers=headers
        )
        reply = connection.getresponse()
        text = reply.read()
        connection.close()
        assert reply.status == 200, text
        return 1

    start = time.perf_counter()
    count = 0
    with ThreadPoolExecutor(max_workers=threads) as pool:
        for wave in waves(secret, refs):
            count += sum(pool.map(post, wave))
    return count, time.perf_counter() - start


def unknown_carrier(port):
    """A signed-by-nobody event: the route answers 401, nothing written."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("POST", "/ecrm/tracking/0", body=b"{}")
    status = connection.getresponse().status
    connection.close()
    return status


@contextlib.contextmanager
def server(config, db, workers):
    """Odoo with ``workers`` HTTP worker processes and no cron worker (the
    steps' emails are drained apart, see ``drain_mails``)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [
            sys.executable,
            os.path.join(os.path.dirname(odoo.tools.config["root_path"]), "odoo-bin"),
            "-c",
            config,
            "-d",
            db,
            "--db-filter",
            f"^{db}$",
            "--workers",
            str(workers),
            "--max-cron-threads",
            "0",
            "--http-interface",
            "127.0.0.1",
            "--http-port",
            str(port),
            "--log-level",
            "warn",
        ]
    )
    try:
        for _n in range(600):
            try:
                if unknown_carrier(port) == 401:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        else:
            raise RuntimeError("the Odoo server did not start")
        # every worker loads its registry on its first request: not timed
        with ThreadPoolExecutor(max_workers=4 * workers) as pool:
            list(pool.map(lambda _n: unknown_carrier(port), range(8 * workers)))
        yield port
    finally:
        process.terminate()
        process.wait(timeout=60)


def drain_mails(registry):
    """Run the steps' email cron (as its worker would, one batch per call)
    until no event waits for its email; ``(emails queued, seconds)``."""
    start = time.perf_counter()
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        cron = env.ref(
            "ecrm_portal.ir_cron_ecrm_tracking_mail", raise_if_not_found=False
        )
        if not cron:  # before 18.0.1.2.0: the emails were queued in the request
            return None, 0
        before = env["mail.mail"].search_count([])
        while env["ecrm.tracking.event"].search_count([("mail_pending", "=", True)]):
            cron.method_direct_trigger()
            cr.commit()
        count = env["mail.mail"].search_count([]) - before
    return count, time.perf_counter() - start


def print_webhook(title, figures):
    (count, seconds), (quiet, quiet_seconds) = figures
    print(
        f"{title}: {count + quiet} events applied in {seconds + quiet_seconds:.2f} s: "
        f"{(count + quiet) / (seconds + quiet_seconds):.0f} events/s (goal >= 200/s); "
        f"customer with email consent {count / seconds:.0f}/s, without "
        f"{quiet / quiet_seconds:.0f}/s"
    )


def pages(client, registry, args, uid, order_id):
    """The portal pages with the suite and with Odoo's own."""
    login(client, registry, args.db, uid)
    urls = ["/my", "/my/orders", f"/my/orders/{order_id}"]
    suite = {url: measure(client, url, args.requests) for url in urls}
    blocks = measure(client, "/my/home/blocks", args.requests)
    set_level(registry, uid)
    with stock_pages():
        stock = {url: measure(client, url, args.requests) for url in urls}
    set_level(registry, uid, "ecrm_core.ecrm_level_customer_centred")
    print(
        f"\n{args.requests} requests per page, server time in ms (median / p95), "
        "SQL queries per request"
    )
    print(f"{'page':<22} {'eCRM':>16} {'Odoo':>16} {'ratio':>7} {'queries':>10}")
    for url in urls:
        ours, odoos = suite[url], stock[url]
        page = "/my/orders/<id>" if url.endswith(str(order_id)) else url
        print(
            f"{page:<22} {ours['median']:7.1f} /{ours['p95']:7.1f} "
            f"{odoos['median']:7.1f} /{odoos['p95']:7.1f} "
            f"{ours['median'] / odoos['median']:6.2f}x "
            f"{ours['queries']:4.0f} /{odoos['queries']:4.0f}"
        )
    print(
        f"{'/my/home/blocks':<22} {blocks['median']:7.1f} /{blocks['p95']:7.1f} "
        f"{'(loaded after /my)':>16} {'':>7} {blocks['queries']:4.0f}"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--orders", type=int, default=200)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--webhook-only", action="store_true", help="skip the portal pages"
    )
    args = parser.parse_args()
    odoo.tools.config.parse_config(["-c", args.config, "-d", args.db])
    registry = odoo.modules.registry.Registry(args.db)
    start = time.perf_counter()
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        user, orders, shipped, carrier = create_data(env, args.orders)
        deliveries = orders.picking_ids.filtered("ecrm_tracking_state")
        uid, order_id, carrier_id = user.id, orders[-1].id, carrier.id
        secret = carrier.ecrm_webhook_secret
        refs = shipped.mapped("carrier_tracking_ref")
        print(
            f"data: 1 customer, {len(orders)} orders, {len(deliveries)} deliveries "
            f"({time.perf_counter() - start:.0f} s)",
            flush=True,
        )
    with db_connect(args.db).cursor() as cr:
        cr.execute("ANALYZE")
    client = Client(odoo.http.root)
    if not args.webhook_only:
        pages(client, registry, args, uid, order_id)
    # a quarter of the deliveries per run: one request at a time in this
    # process, then --threads clients at once against --workers HTTP workers;
    # the customer first accepts emails, then not
    quarter = len(refs) // 4
    runs = {"sequential": [], "concurrent": []}
    mails = []
    for part, consent in ((0, "opt_in"), (2, "opt_out")):
        with registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            env["res.users"].browse(uid).partner_id._ecrm_set_consent(
                "email", consent, "backend"
            )
        sequential = refs[part * quarter : (part + 1) * quarter]
        concurrent = refs[(part + 1) * quarter : (part + 2) * quarter]
        runs["sequential"].append(webhook(client, carrier_id, secret, sequential))
        with server(args.config, args.db, args.workers) as port:
            runs["concurrent"].append(
                webhook_concurrent(port, carrier_id, secret, concurrent, args.threads)
            )
        mails.append(drain_mails(registry))
    print()
    print_webhook("webhook, one request at a time", runs["sequential"])
    print_webhook(
        f"webhook, {args.threads} clients, {args.workers} HTTP workers",
        runs["concurrent"],
    )
    if mails[0][0] is not None:
        count = sum(m[0] for m in mails)
        seconds = sum(m[1] for m in mails)
        print(
            f"steps' emails queued by their cron (rating requests included): "
            f"{count} in {seconds:.2f} s, {count / seconds:.0f}/s"
        )


if __name__ == "__main__":
    main()
