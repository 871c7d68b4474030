# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Read replica benchmark (scripts/bench-replica): which requests Odoo serves
from the PostgreSQL read replica, and whether they answer the same.

Two Odoo servers run on the same database: one with ``db_replica_host`` /
``db_replica_port`` (``--replica-url``), one on the primary only
(``--primary-url``). Each request is sent ``--repeat`` times to the first one
while the replica's ``pg_stat_statements`` counts the statements it ran for the
database, then once to each server to compare the answers (status and body,
without the per-session CSRF tokens).
"""

import argparse
import json
import re
import time

import psycopg2
import requests

# Odoo's CSRF tokens: an HMAC-SHA1 in hex, "o", the expiry
CSRF = re.compile(rb"[0-9a-f]{40}o[0-9]*")


class Client:
    def __init__(self, base, login=None, password=None):
        self.base = base
        self.session = requests.Session()
        if login:
            page = self.session.get(f"{base}/web/login", timeout=60).text
            token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
            reply = self.session.post(
                f"{base}/web/login",
                data={"login": login, "password": password, "csrf_token": token},
                timeout=60,
            )
            reply.raise_for_status()

    def get(self, path):
        reply = self.session.get(self.base + path, timeout=60, allow_redirects=False)
        return reply.status_code, reply.content

    def call(self, model, method, args, kwargs):
        reply = self.session.post(
            f"{self.base}/web/dataset/call_kw/{model}/{method}",
            json={
                "jsonrpc": "2.0",
                "method": "call",
                "params": {
                    "model": model,
                    "method": method,
                    "args": args,
                    "kwargs": kwargs,
                },
            },
            timeout=60,
        )
        body = reply.json()
        return (500 if "error" in body else reply.status_code), json.dumps(
            body.get("result", body.get("error")), sort_keys=True
        ).encode()


def replica_statements(dsn, db):
    with psycopg2.connect(dsn) as conn, conn.cursor() as cr:
        cr.execute(
            """
            SELECT COALESCE(sum(s.calls), 0)
              FROM pg_stat_statements s
              JOIN pg_database d ON d.oid = s.dbid
              JOIN pg_roles r ON r.oid = s.userid
             WHERE d.datname = %s AND r.rolname = 'odoo'
            """,
            [db],
        )
        return int(cr.fetchone()[0])


def comparable(body, bases):
    """The answer without what differs by server or by session: the servers'
    URLs (the page of one server names the other when ``web.base.url``, set at
    the admin's last login, is the other's: canonical links) and the CSRF
    tokens."""
    body = CSRF.sub(b"", body)
    for base in bases:
        body = body.replace(base.encode(), b"")
    return body


def first_difference(a, b):
    """The first pair of lines that differ, shortened, for the report."""
    for line_a, line_b in zip(a.splitlines(), b.splitlines(), strict=False):
        if line_a != line_b:
            return line_a.strip()[:100], line_b.strip()[:100]
    return a[-100:], b[-100:]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--replica-url", required=True)
    parser.add_argument("--primary-url", required=True)
    parser.add_argument("--replica-dsn", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    def clients(base):
        return {
            "public": Client(base),
            "portal": Client(base, "portal", "portal"),
            "admin": Client(base, "admin", "admin"),
        }

    on_replica, on_primary = clients(args.replica_url), clients(args.primary_url)
    today = time.strftime("%Y-%m-%d")
    year_ago = time.strftime("%Y-%m-%d", time.gmtime(time.time() - 365 * 86400))
    requests_ = [
        ("public", "GET /help", ("get", "/help")),
        ("public", "GET /track", ("get", "/track")),
        ("portal", "GET /my", ("get", "/my")),
        ("portal", "GET /my/home/blocks", ("get", "/my/home/blocks")),
        ("portal", "GET /my/orders", ("get", "/my/orders")),
        ("portal", "GET /my/tickets", ("get", "/my/tickets")),
        (
            "admin",
            "RPC res.partner.web_search_read",
            (
                "call",
                "res.partner",
                "web_search_read",
                [[["customer_rank", ">", 0]]],
                {"specification": {"display_name": {}}, "limit": 80},
            ),
        ),
        (
            "admin",
            "RPC ecrm.dashboard.get_kpis (12 months)",
            ("call", "ecrm.dashboard", "get_kpis", [year_ago, today], {}),
        ),
        (
            "admin",
            "RPC ecrm.dashboard.get_dashboard (12 months)",
            ("call", "ecrm.dashboard", "get_dashboard", [year_ago, today], {}),
        ),
        (
            "admin",
            "RPC sale.order.write (a write, for contrast)",
            ("call", "sale.order", "write", [[], {}], {}),
        ),
    ]
    print(f"{'request':44} {'status':>6} {'replica stmts/req':>18} {'same answer':>12}")
    for who, label, (kind, *what) in requests_:

        def send(client, kind=kind, what=what):
            return client.get(*what) if kind == "get" else client.call(*what)

        before = replica_statements(args.replica_dsn, args.db)
        t = time.monotonic()
        for _ in range(args.repeat):
            status, body = send(on_replica[who])
        elapsed = (time.monotonic() - t) / args.repeat
        after = replica_statements(args.replica_dsn, args.db)
        bases = (args.replica_url, args.primary_url)
        body = comparable(body, bases)
        primary_body = comparable(send(on_primary[who])[1], bases)
        same = body == primary_body
        per_request = (after - before) / args.repeat
        print(
            f"{label:44} {status:>6} {per_request:>18.1f} {same!s:>12}"
            f"   ({elapsed * 1000:.0f} ms)"
        )
        if not same:
            replica_line, primary_line = first_difference(body, primary_body)
            print(f"    replica: {replica_line!r}\n    primary: {primary_line!r}")


if __name__ == "__main__":
    main()
