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
apart. Then starts Odoo as deployed (prefork, ``--workers`` HTTP workers,
the one database in ``db_name``) and posts signed carrier events
(``on_the_way`` then ``delivered`` for each of ``--deliveries`` new shipped
deliveries, each delivery's events in order) to the webhook: a third of them
one request at a time, a third from ``--threads`` carriers at once on
distinct deliveries, a third from ``--threads`` carriers in batches of
``--batch`` events a request; and as many events signed with a wrong key
(401, the floor of a webhook request: Odoo's dispatch, the carrier, the
signature). Prints the events per second, the median server time per request (from
Odoo's request log) and its SQL queries; then drains the steps' emails with
their cron. Commits its data into ``--db``: use a throwaway database.

    python tests/bench/bench_portal.py --config odoo.conf --db NAME [--orders 200]
"""

import argparse
import contextlib
import hashlib
import hmac
import http.client
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
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
        product, warehouse.lot_stock_id, 1_000_000
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
    return user, shipped_orders(partner, product, carrier, orders_count)[0], carrier


def shipped_orders(partner, product, carrier, count, prefix="BENCH"):
    """``count`` confirmed orders of ``partner``, each with a shipped delivery
    (one unit, tracking reference ``<prefix>-<n>``) and its waiting backorder."""
    env = partner.env
    orders = env["sale.order"].create(
        [
            {
                "partner_id": partner.id,
                "carrier_id": carrier.id,
                "order_line": [
                    Command.create({"product_id": product.id, "product_uom_qty": 2})
                ],
            }
            for _n in range(count)
        ]
    )
    orders.action_confirm()
    shipped = orders.picking_ids
    for n, picking in enumerate(shipped):
        picking.carrier_tracking_ref = f"{prefix}-{n:05d}"
    for move in shipped.move_ids:
        move.quantity = 1
        move.picked = True
    shipped._action_done()  # one unit shipped, its backorder waits
    return orders, shipped


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


def signed(secret, events):
    """One request: an event, or a batch (a JSON array) of several."""
    batch = [
        {"tracking_ref": ref, "status": status, "event_time": when}
        for ref, status, when in events
    ]
    body = json.dumps(batch if len(batch) > 1 else batch[0])
    digest = hmac.new(secret.encode(), body.encode(), hashlib.sha256).hexdigest()
    return (
        len(events),
        body.encode(),
        {
            "Content-Type": "application/json",
            "X-Ecrm-Signature": f"sha256={digest}",
        },
    )


def waves(secret, refs, batch=1):
    """The requests of ``refs``' events, ``batch`` events a request: every
    ``on_the_way``, then every ``delivered`` (a delivery's events in the order
    the carrier sends them)."""
    return [
        [
            signed(
                secret,
                [
                    (ref, status, f"2026-11-{day:02d}T10:00:00+00:00")
                    for ref in refs[start : start + batch]
                ],
            )
            for start in range(0, len(refs), batch)
        ]
        for status, day in (("on_the_way", 20), ("delivered", 21))
    ]


def webhook(port, carrier_id, events, clients, expected=200):
    """``clients`` carriers posting ``events`` (lists sent one after the other)
    at once, each on a connection of its own as a carrier's webhook does;
    ``(events, seconds, client-side latencies)``."""

    def post(request):
        _count, body, headers = request
        start = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        connection.request(
            "POST", f"/ecrm/tracking/{carrier_id}", body=body, headers=headers
        )
        reply = connection.getresponse()
        text = reply.read()
        connection.close()
        assert reply.status == expected, text
        return time.perf_counter() - start

    start = time.perf_counter()
    latencies = []
    with ThreadPoolExecutor(max_workers=clients) as pool:
        for wave in events:
            latencies += pool.map(post, wave)
    count = sum(request[0] for wave in events for request in wave)
    return count, time.perf_counter() - start, latencies


def unknown_carrier(port):
    """A signed-by-nobody event: the route answers 401, nothing written."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("POST", "/ecrm/tracking/0", body=b"{}")
    status = connection.getresponse().status
    connection.close()
    return status


# Odoo's request log: status, SQL queries, SQL seconds, other seconds
REQUEST_LOG = re.compile(
    r'"POST /ecrm/tracking/[1-9]\d* HTTP/[\d.]+" (\d+) - (\d+) ([\d.]+) ([\d.]+)'
)


def server_times(logfile, offset):
    """The webhook requests Odoo logged after ``offset``: the median server
    time (SQL + the rest, ms), queries per request, and how many times a
    request was replayed after a serialization failure."""
    with open(logfile) as log:
        log.seek(offset)
        text = log.read()
    rows = [
        (int(m[2]), float(m[3]) * 1000, float(m[4]) * 1000)
        for m in REQUEST_LOG.finditer(text)
    ]
    return {
        "queries": statistics.mean(r[0] for r in rows),
        "sql": statistics.median(r[1] for r in rows),
        "total": statistics.median(r[1] + r[2] for r in rows),
        "retries": text.count("tries left, try again"),
    }


@contextlib.contextmanager
def server(config, db, workers, logfile):
    """Odoo as deployed (prefork: ``workers`` HTTP worker processes, the one
    database it serves in ``db_name``), no cron worker (the steps' emails are drained
    apart, see ``drain_mails``); its request log in ``logfile``."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [
            sys.executable,
            os.path.join(os.path.dirname(odoo.tools.config["root_path"]), "odoo-bin"),
            "-c",
            config,
            # the one database served, as the Docker entrypoint does
            "-d",
            db,
            "--workers",
            str(workers),
            "--max-cron-threads",
            "0",
            "--http-interface",
            "127.0.0.1",
            "--http-port",
            str(port),
            "--gevent-port",
            str(port + 1),
            "--log-level",
            "warn",
            "--log-handler",
            "werkzeug:INFO",
            "--log-handler",
            "odoo.service.model:INFO",
            "--logfile",
            logfile,
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
        cron = env.ref("ecrm_portal.ir_cron_ecrm_tracking_mail")
        before = env["mail.mail"].search_count([])
        while env["ecrm.tracking.event"].search_count([("mail_pending", "=", True)]):
            cron.method_direct_trigger()
            cr.commit()
        count = env["mail.mail"].search_count([]) - before
    return count, time.perf_counter() - start


def webhook_runs(args, carrier_id, secret, refs):
    """A third of the deliveries' events one request at a time, a third from
    ``--threads`` carriers at once, a third from ``--threads`` carriers in
    batches of ``--batch`` events; each run also answers as many events
    signed with a wrong key (401: Odoo's request, the carrier and the
    signature check, nothing recorded: the floor of a webhook request)."""
    third = len(refs) // 3
    print(
        f"\ncarrier webhook: Odoo --workers {args.workers} (prefork), "
        "median server time per request (SQL + rest), one run"
    )
    print(
        f"{'':<36} {'events':>7} {'events/s':>9} {'server ms':>10} "
        f"{'SQL ms':>7} {'queries':>8} {'client p50':>11} {'retries':>8}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        logfile = os.path.join(tmp, "odoo.log")
        with server(args.config, args.db, args.workers, logfile) as port:
            for clients, batch, part in (
                (1, 1, refs[:third]),
                (args.threads, 1, refs[third : 2 * third]),
                (args.threads, args.batch, refs[2 * third :]),
            ):
                for title, key, expected in (
                    ("applied", secret, 200),
                    ("refused (401)", "not the carrier's key", 401),
                ):
                    offset = os.path.getsize(logfile)
                    count, seconds, latencies = webhook(
                        port, carrier_id, waves(key, part, batch), clients, expected
                    )
                    times = server_times(logfile, offset)
                    label = f"{clients} client(s), {batch} event(s)/request, {title}"
                    print(
                        f"{label:<36} {count:>7} "
                        f"{count / seconds:>9.0f} {times['total']:>10.1f} "
                        f"{times['sql']:>7.1f} {times['queries']:>8.1f} "
                        f"{statistics.median(latencies) * 1000:>9.1f} ms"
                        f"{times['retries']:>9}"
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
    parser.add_argument("--batch", type=int, default=25, help="events a request")
    parser.add_argument("--deliveries", type=int, default=300, help="for the webhook")
    parser.add_argument(
        "--webhook-only", action="store_true", help="skip the portal pages"
    )
    args = parser.parse_args()
    odoo.tools.config.parse_config(["-c", args.config, "-d", args.db])
    registry = odoo.modules.registry.Registry(args.db)
    start = time.perf_counter()
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        user, orders, carrier = create_data(env, args.orders)
        deliveries = orders.picking_ids.filtered("ecrm_tracking_state")
        uid, order_id, carrier_id = user.id, orders[-1].id, carrier.id
        secret = carrier.ecrm_webhook_secret
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
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        partner = env["res.users"].browse(uid).partner_id
        partner._ecrm_set_consent("email", "opt_in", "backend")
        product = env["sale.order"].browse(order_id).order_line.product_id
        refs = shipped_orders(
            partner,
            product,
            env["delivery.carrier"].browse(carrier_id),
            args.deliveries,
            prefix="HOOK",
        )[1].mapped("carrier_tracking_ref")
    uptime = os.getloadavg()
    webhook_runs(args, carrier_id, secret, refs)
    count, seconds = drain_mails(registry)
    print(
        f"steps' emails queued by their cron (rating requests included): "
        f"{count} in {seconds:.2f} s, {count / seconds:.0f}/s"
    )
    print(
        "load average before / after the webhook runs: "
        f"{uptime[0]:.1f} / {os.getloadavg()[0]:.1f} (goal: >= 200 events/s)"
    )


if __name__ == "__main__":
    main()
