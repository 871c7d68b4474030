# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Synthetic data generator for the eCRM benchmarks and demos.

Creates customers (individuals, companies with contacts), confirmed sale orders
over the last months with power-law order frequencies and lognormal amounts,
their deliveries in every state and some helpdesk tickets.

Speed comes from PostgreSQL ``COPY``: one real order, picking, partner and
ticket are first created through the ORM inside a savepoint that is always
rolled back; their rows are the *templates* of the generated rows, so every
column of every installed module gets a value Odoo itself would write, and the
generator only overrides the columns that vary (names, partners, dates,
quantities, amounts, states, links).  Ids and document numbers come from blocks
reserved in the real PostgreSQL/``ir.sequence`` sequences, so Odoo continues
numbering after the generated data.

Usage (command line)::

    python tests/bench/generator.py --config odoo.conf --db NAME \\
        --customers 100000 --orders 500000 [--tickets 10000] [--seed 1]

or from Python: ``generate(env, customers=..., orders=..., seed=...)``.
"""

import argparse
import bisect
import contextlib
import io
import itertools
import math
import random
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import odoo
from odoo import Command

DAY = 86400
NULL = "\\N"


def _words(text):
    return tuple(text.split())


FIRST_NAMES = _words(
    "Adele Ahmed Alice Amara Anna Arjun Ben Carla Chen David Diego Elena Emma "
    "Fatima Felix Grace Hana Hugo Ines Ivan Jade Jonas Julia Kenji Lara Leo Lina "
    "Luca Maria Mateo Mia Nadia Noah Olga Omar Paul Priya Rafael Rosa Sami Sara "
    "Sofia Tom Uma Victor Yara Yusuf Zoe"
)
LAST_NAMES = _words(
    "Adams Bauer Bernard Costa Dubois Evans Fischer Garcia Gomez Hansen Ito "
    "Jensen Kim Kowalski Lambert Lopez Martin Meyer Moreau Nakamura Novak Olsen "
    "Perez Petit Rossi Santos Schmidt Silva Smith Tanaka Torres Wagner Weber "
    "Wilson Young Zimmermann"
)
COMPANY_WORDS = _words(
    "Alpine Atlas Blue Bright Cedar Coastal Delta Eagle Green Harbor Iron Lake "
    "Maple Nordic North Oak Pacific Prime River Silver Solar Summit Urban Vertex"
)
COMPANY_KINDS = _words(
    "Trading Logistics Retail Studio Foods Systems Partners Supplies"
)
CITIES = (
    ("San Francisco", "94107"),
    ("Chicago", "60601"),
    ("New York", "10001"),
    ("Austin", "73301"),
    ("Seattle", "98101"),
    ("Boston", "02108"),
    ("Denver", "80202"),
    ("Miami", "33101"),
)
CATEGORIES = {
    "Furniture": (
        "Desk",
        "Chair",
        "Shelf",
        "Cabinet",
        "Table",
        "Lamp",
        "Sofa",
        "Stool",
    ),
    "Electronics": ("Headset", "Monitor", "Keyboard", "Mouse", "Webcam", "Speaker"),
    "Office Supplies": ("Paper Ream", "Pen Box", "Stapler", "Notebook", "Folder"),
    "Kitchen": ("Kettle", "Coffee Maker", "Mug Set", "Toaster", "Blender"),
    "Garden": ("Hose", "Planter", "Lawn Chair", "Parasol", "Grill"),
}
TICKET_SUBJECTS = (
    "Where is my parcel?",
    "Damaged item received",
    "Wrong product delivered",
    "Invoice request",
    "Change of delivery address",
    "Product stopped working",
    "Return request",
    "Question about warranty",
)
PRODUCT_CODE = "SYN-"


def _esc(value):
    """Text of a template value in COPY's text format."""
    if value is None:
        return NULL
    return (
        value.replace("\\", "\\\\")
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
    )


def _money(cents):
    return f"{cents // 100}.{cents % 100:02d}"


def _ts(dt):
    return dt.strftime("%Y-%m-%d %H:%M:%S")


class _Writer:
    """Buffers rows of one table for ``COPY``: each row is the template row with
    the given columns replaced. Columns the table lacks (their module is not
    installed) are ignored."""

    def __init__(self, cr, table, template):
        self.cr = cr
        self.table = table
        self.columns, self.base = template
        self.index = {c: i for i, c in enumerate(self.columns)}
        self.buf = io.StringIO()
        self.count = 0

    def add(self, **values):
        row = self.base[:]
        index = self.index
        for column, value in values.items():
            pos = index.get(column)
            if pos is not None:
                row[pos] = NULL if value is None else str(value)
        self.buf.write("\t".join(row))
        self.buf.write("\n")
        self.count += 1

    def take(self):
        """The buffered rows, as a file for :meth:`copy`; the buffer starts anew."""
        buf, self.buf = self.buf, io.StringIO()
        buf.seek(0)
        return buf

    def copy(self, buf):
        cols = ", ".join(f'"{c}"' for c in self.columns)
        self.cr._obj.copy_expert(f'COPY "{self.table}" ({cols}) FROM STDIN', buf)

    def flush(self):
        self.copy(self.take())


def _read_row(cr, table, record_id=None):
    """Columns of ``table`` and the COPY text of its row ``record_id`` (or NULLs)."""
    cr.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND table_name = %s "
        "ORDER BY ordinal_position",
        [table],
    )
    columns = [r[0] for r in cr.fetchall()]
    if not record_id:
        return columns, [NULL] * len(columns)
    cr.execute(
        "SELECT ARRAY[{}] FROM {} WHERE id = %s".format(
            ", ".join(f'"{c}"::text' for c in columns), f'"{table}"'
        ),
        [record_id],
    )
    return columns, [_esc(v) for v in cr.fetchone()[0]]


def _reserve_ids(cr, table, count):
    """First id of a block of ``count`` ids taken from the table's id sequence."""
    if not count:
        return 0
    seq = f"{table}_id_seq"
    cr.execute("SELECT setval(%s, nextval(%s) + %s - 1)", [seq, seq, count])
    return cr.fetchone()[0] - count + 1


def _reserve_names(sequence, count):
    """``count`` consecutive document names taken from an ``ir.sequence``."""
    if not count:
        return []
    cr = sequence.env.cr
    step = sequence.number_increment
    if sequence.implementation == "standard":
        seq = f"ir_sequence_{sequence.id:03d}"
        cr.execute(
            "SELECT setval(%s, nextval(%s) + %s)", [seq, seq, (count - 1) * step]
        )
        first = cr.fetchone()[0] - (count - 1) * step
    else:
        cr.execute(
            "UPDATE ir_sequence SET number_next = number_next + %s "
            "WHERE id = %s RETURNING number_next - %s",
            [count * step, sequence.id, count * step],
        )
        first = cr.fetchone()[0]
        sequence.invalidate_recordset(["number_next"])
    prefix, suffix = sequence._get_prefix_suffix()
    pad = sequence.padding
    return [f"{prefix}{first + i * step:0{pad}d}{suffix}" for i in range(count)]


def _products(env):
    """The generator's products (created once through the ORM, then reused)."""
    Product = env["product.product"].with_context(active_test=False)
    products = Product.search([("default_code", "=like", PRODUCT_CODE + "%")])
    if products:
        return products
    rng = random.Random(42)
    parent = env["product.category"].create({"name": "Synthetic"})
    vals = []
    for categ_name, items in CATEGORIES.items():
        categ = env["product.category"].create(
            {"name": categ_name, "parent_id": parent.id}
        )
        for item in items:
            for grade in ("Basic", "Pro"):
                price = round(math.exp(rng.gauss(math.log(60), 1.0)), 0) + 0.99
                vals.append(
                    {
                        "name": f"{item} {grade}",
                        "default_code": f"{PRODUCT_CODE}{len(vals) + 1:03d}",
                        "categ_id": categ.id,
                        "list_price": price * (2.5 if grade == "Pro" else 1),
                        "type": "consu",
                        "sale_ok": True,
                    }
                )
    return env["product.template"].create(vals).product_variant_ids


def _templates(env, products):
    """Rows of a partner, company, contact, order, delivery and ticket made by the ORM.

    They are created in a savepoint that is always rolled back: only their rows'
    text (read before the rollback) is kept, as templates of the generated rows.
    """
    cr = env.cr
    with contextlib.closing(cr.savepoint()):
        partner = env["res.partner"].create({"name": "Template", "email": "t@ex.com"})
        company = env["res.partner"].create({"name": "Template Co", "is_company": True})
        contact = env["res.partner"].create(
            {"name": "Contact", "parent_id": company.id}
        )
        order = env["sale.order"].create(
            {
                "partner_id": partner.id,
                "order_line": [
                    Command.create({"product_id": p.id, "product_uom_qty": 1})
                    for p in products[:2]
                ],
            }
        )
        order.action_confirm()
        picking = order.picking_ids[:1]
        picking.action_assign()
        move = picking.move_ids[:1]
        ticket = env["helpdesk.ticket"].create(
            {
                "name": "Template",
                "description": "<p>Template</p>",
                "partner_id": partner.id,
            }
        )
        env.flush_all()
        tpl = {
            "partner": _read_row(cr, "res_partner", partner.id),
            "company": _read_row(cr, "res_partner", company.id),
            "contact": _read_row(cr, "res_partner", contact.id),
            "sale_order": _read_row(cr, "sale_order", order.id),
            "sale_order_line": _read_row(cr, "sale_order_line", order.order_line[0].id),
            "account_tax_sale_order_line_rel": _read_row(
                cr, "account_tax_sale_order_line_rel"
            ),
            "procurement_group": _read_row(
                cr, "procurement_group", order.procurement_group_id.id
            ),
            "stock_picking": _read_row(cr, "stock_picking", picking.id),
            "stock_move": _read_row(cr, "stock_move", move.id),
            "stock_move_line": _read_row(
                cr, "stock_move_line", move.move_line_ids[:1].id
            ),
            "helpdesk_ticket": _read_row(cr, "helpdesk_ticket", ticket.id),
            "pricelist": order.pricelist_id.id or None,
        }
        picking_type = picking.picking_type_id.id
    env.invalidate_all()
    tpl["picking_type"] = env["stock.picking.type"].browse(picking_type)
    return tpl


def _accumulate(weights):
    return list(itertools.accumulate(weights))


def _pick(rng, cumulative):
    """Index drawn with the weights whose running sums are ``cumulative``."""
    return bisect.bisect(cumulative, rng.random() * cumulative[-1])


class _Generator:
    def __init__(self, env, seed, months, log):
        self.env = env
        self.cr = env.cr
        self.rng = random.Random(seed)
        self.log = log
        self.now = env.cr.now().replace(microsecond=0, tzinfo=None)
        self.span = int(months * 30.4375 * DAY)
        self.start = self.now - timedelta(seconds=self.span)
        self.company = env.company
        self.timings = {}

    def step(self, name, started):
        self.timings[name] = round(time.monotonic() - started, 2)
        self.log(f"{name}: {self.timings[name]:.2f} s")

    def customers(self, count, rows):
        """Creates ``count`` customers, about 10 % companies with 1-3 contacts.

        :return: (cumulative order weights, (acquisition, lifetime) in seconds,
                  (commercial partner id, contact ids), number of partners)
        """
        rng = self.rng
        writers = {
            kind: _Writer(self.cr, "res_partner", rows[kind])
            for kind in ("partner", "company", "contact")
        }
        is_company = [rng.random() < 0.1 for _ in range(count)]
        n_contacts = [rng.randint(1, 3) if c else 0 for c in is_company]
        next_id = _reserve_ids(self.cr, "res_partner", count + sum(n_contacts))
        contact_id = next_id + count
        country = self.env.ref("base.us").id
        now = _ts(self.now)
        weights, windows, buyers = [], [], []
        for i in range(count):
            pid = next_id + i
            # Acquired at some point of the period, then active for an
            # exponential lifetime (many customers churn early).
            acquired = rng.random() * self.span
            life = min(rng.expovariate(1 / (400 * DAY)), self.span - acquired)
            windows.append((acquired, life))
            # Pareto weights (~20 % of the customers place most orders), capped
            # so that the biggest customers stay plausible (a few orders a week).
            weight = min(rng.paretovariate(1.16), 150)
            weights.append(weight * (3 if is_company[i] else 1))
            city, zip_code = CITIES[i % len(CITIES)]
            common = {
                # the template partner got an eCRM profile when its order was
                # confirmed: the generated ones have none until a recompute
                "ecrm_profile_id": None,
                "city": city,
                "zip": zip_code,
                "country_id": country,
                "lang": "en_US",
                "create_date": _ts(self.start + timedelta(seconds=acquired)),
                "write_date": now,
                "active": True,
                "partner_share": True,
                "type": "contact",
            }
            phone = f"+1555{pid % 10000000:07d}"
            if is_company[i]:
                name = (
                    f"{COMPANY_WORDS[rng.randrange(len(COMPANY_WORDS))]} "
                    f"{COMPANY_KINDS[rng.randrange(len(COMPANY_KINDS))]} {pid}"
                )
                email = f"contact@company{pid}.example.com"
                street = f"{pid % 900 + 1} Market Street"
            else:
                name = (
                    f"{FIRST_NAMES[rng.randrange(len(FIRST_NAMES))]} "
                    f"{LAST_NAMES[rng.randrange(len(LAST_NAMES))]}"
                )
                email = f"{name.lower().replace(' ', '.')}{pid}@example.com"
                street = f"{pid % 900 + 1} Main Street"
            writers["company" if is_company[i] else "partner"].add(
                id=pid,
                name=name,
                complete_name=name,
                parent_id=None,
                commercial_partner_id=pid,
                commercial_company_name=name if is_company[i] else None,
                is_company=is_company[i],
                email=email,
                email_normalized=email,
                phone=phone,
                phone_sanitized=phone,
                street=street,
                ref=f"C{pid}",
                customer_rank=1,
                **common,
            )
            contacts = range(contact_id, contact_id + n_contacts[i])
            contact_id += n_contacts[i]
            for cid in contacts:
                cname = (
                    f"{FIRST_NAMES[rng.randrange(len(FIRST_NAMES))]} "
                    f"{LAST_NAMES[rng.randrange(len(LAST_NAMES))]}"
                )
                cmail = f"{cname.lower().replace(' ', '.')}@company{pid}.example.com"
                cphone = f"+1555{cid % 10000000:07d}"
                writers["contact"].add(
                    id=cid,
                    name=cname,
                    complete_name=f"{name}, {cname}",
                    parent_id=pid,
                    commercial_partner_id=pid,
                    commercial_company_name=name,
                    is_company=False,
                    email=cmail,
                    email_normalized=cmail,
                    phone=cphone,
                    phone_sanitized=cphone,
                    street=street,
                    function="Purchaser",
                    customer_rank=0,
                    **common,
                )
            buyers.append((pid, tuple(contacts)))
        for writer in writers.values():
            writer.flush()
        partners = sum(w.count for w in writers.values())
        return _accumulate(weights), windows, buyers, partners

    def _order_keys(self, count, weights, windows):
        """Sorted ``date << 21 | customer`` of each order: orders are numbered
        in date order, as a real shop numbers them."""
        rng = self.rng
        keys = []
        for _ in range(count):
            c = _pick(rng, weights)
            acquired, life = windows[c]
            keys.append((int(acquired + rng.random() * life) << 21) | c)
        keys.sort()
        return keys

    def _product_data(self, products):
        data = []
        for product in products:
            taxes = product.taxes_id.filtered(lambda t: t.company_id == self.company)
            if any(t.amount_type != "percent" or t.price_include for t in taxes):
                raise ValueError(
                    f"{product.default_code}: only price-excluded percent taxes"
                )
            data.append(
                {
                    "id": product.id,
                    "uom": product.uom_id.id,
                    "name": product.display_name,
                    "price": round(product.list_price * 100),
                    "tax_ids": taxes.ids,
                    "rate_bp": round(sum(taxes.mapped("amount")) * 100),
                }
            )
        return data

    def _state(self, date):
        """Delivery state: recent orders are in every state, older ones are
        delivered (or, rarely, cancelled)."""
        if (self.now - date).days <= 30:
            return self.rng.choice(
                ("draft", "confirmed", "assigned", "assigned", "done", "cancel")
            )
        return "cancel" if self.rng.random() < 0.04 else "done"

    def orders(self, count, weights, windows, buyers, products, tpl, chunk):
        """Creates ``count`` confirmed orders with their lines and deliveries.

        :return: number of orders per customer, rows written per table
        """
        keys = self._order_keys(count, weights, windows)
        self.buyers = buyers
        self.order_counts = [0] * len(buyers)
        self.product_data = self._product_data(products)
        # Popular products sell more (Zipf).
        self.popularity = _accumulate(1 / (r + 1) for r in range(len(products)))
        self.pricelist = tpl["pricelist"]
        self.now_text = _ts(self.now)
        self.carriers = []
        if "delivery.carrier" in self.env:
            self.carriers = [
                (c.id, c.name[:3].upper())
                for c in self.env["delivery.carrier"].search(
                    [("company_id", "in", (self.company.id, False))]
                )
            ]
        self.writers = {
            table: _Writer(self.cr, table, tpl[table])
            for table in (
                "procurement_group",
                "sale_order",
                "sale_order_line",
                "account_tax_sale_order_line_rel",
                "stock_picking",
                "stock_move",
                "stock_move_line",
            )
        }
        order_seq = self.env["ir.sequence"].search(
            [
                ("code", "=", "sale.order"),
                ("company_id", "in", (self.company.id, False)),
            ],
            order="company_id",
            limit=1,
        )
        picking_seq = tpl["picking_type"].sequence_id
        # A worker thread copies a chunk while the next one is generated; ids
        # and names are reserved between chunks, while the cursor is idle.
        if count:
            ids = self._reserve_chunk(min(chunk, count), order_seq, picking_seq)
        with ThreadPoolExecutor(max_workers=1) as executor:
            copying = None
            for offset in range(0, count, chunk):
                block = keys[offset : offset + chunk]
                for k, key in enumerate(block):
                    self._order(k, key, ids)
                buffers = [(w, w.take()) for w in self.writers.values()]
                if copying:
                    copying.result()
                group_id, order_id = ids["group_id"], ids["order_id"]
                rest = count - offset - len(block)
                if rest:
                    ids = self._reserve_chunk(min(chunk, rest), order_seq, picking_seq)
                copying = executor.submit(
                    self._copy, buffers, group_id, order_id, len(block)
                )
                self.log(f"  orders: {offset + len(block)}/{count}")
            if copying:
                copying.result()
        return self.order_counts, {t: w.count for t, w in self.writers.items()}

    def _reserve_chunk(self, n, order_seq, picking_seq):
        """Ids and names of the next ``n`` orders and of their lines."""
        n_lines = [1 + min(int(self.rng.expovariate(1 / 1.3)), 7) for _ in range(n)]
        lines = sum(n_lines)
        return {
            "n_lines": n_lines,
            "names": _reserve_names(order_seq, n),
            "picking_names": _reserve_names(picking_seq, n),
            "order_id": _reserve_ids(self.cr, "sale_order", n),
            "group_id": _reserve_ids(self.cr, "procurement_group", n),
            "picking_id": _reserve_ids(self.cr, "stock_picking", n),
            "line_id": _reserve_ids(self.cr, "sale_order_line", lines),
            "move_id": _reserve_ids(self.cr, "stock_move", lines),
            "move_line_id": _reserve_ids(self.cr, "stock_move_line", lines),
        }

    def _copy(self, buffers, group_id, order_id, n):
        for writer, buf in buffers:
            writer.copy(buf)
            if writer.table == "sale_order":
                # procurement_group and sale_order refer to each other: the
                # groups are copied first, their sale_id set once orders exist
                # (the k-th group of a chunk is the k-th order's: no join, which
                # sale_order, without an index on its group, would make slow).
                self.cr.execute(
                    "UPDATE procurement_group SET sale_id = id - %s + %s "
                    "WHERE id BETWEEN %s AND %s",
                    [group_id, order_id, group_id, group_id + n - 1],
                )

    def _order(self, k, key, ids):
        """Writes the ``k``-th order of the chunk, its lines and its delivery."""
        rng = self.rng
        c = key & 0x1FFFFF
        self.order_counts[c] += 1
        date = self.start + timedelta(seconds=key >> 21)
        commercial, contacts = self.buyers[c]
        partner = commercial
        if contacts and rng.random() < 0.7:
            partner = contacts[rng.randrange(len(contacts))]
        oid, gid = ids["order_id"] + k, ids["group_id"] + k
        pid = ids["picking_id"] + k
        name, pname = ids["names"][k], ids["picking_names"][k]
        state = self._state(date)
        done = state == "done"
        reserved = state in ("assigned", "done")
        shipped = _ts(min(date + timedelta(hours=rng.randint(4, 120)), self.now))
        created = _ts(date)
        move_date = shipped if done else created
        # Lognormal order amount, split over the lines.
        target = math.exp(rng.gauss(math.log(90), 0.9)) * 100
        shares = [rng.random() + 0.2 for _ in range(ids["n_lines"][k])]
        untaxed = tax = 0
        for j, share in enumerate(shares):
            lid, mid = ids["line_id"], ids["move_id"]
            ids["line_id"] += 1
            ids["move_id"] += 1
            product = self.product_data[_pick(rng, self.popularity)]
            price = product["price"]
            qty = max(1, round(target * share / sum(shares) / price))
            subtotal = qty * price
            line_tax = (subtotal * product["rate_bp"] + 5000) // 10000
            untaxed += subtotal
            tax += line_tax
            self.writers["sale_order_line"].add(
                id=lid,
                order_id=oid,
                sequence=10 + j,
                order_partner_id=partner,
                product_id=product["id"],
                product_uom=product["uom"],
                name=product["name"],
                product_uom_qty=qty,
                price_unit=_money(price),
                technical_price_unit=_money(price),
                discount=0,
                price_subtotal=_money(subtotal),
                price_tax=_money(line_tax),
                price_total=_money(subtotal + line_tax),
                price_reduce_taxexcl=_money(price),
                price_reduce_taxinc=f"{(subtotal + line_tax) / qty / 100:.2f}",
                qty_delivered=qty if done else 0,
                qty_to_invoice=qty,
                qty_invoiced=0,
                untaxed_amount_to_invoice=_money(subtotal),
                untaxed_amount_invoiced=0,
                invoice_status="to invoice",
                state="sale",
                create_date=created,
                write_date=self.now_text,
            )
            for tax_id in product["tax_ids"]:
                self.writers["account_tax_sale_order_line_rel"].add(
                    sale_order_line_id=lid, account_tax_id=tax_id
                )
            self.writers["stock_move"].add(
                id=mid,
                name=product["name"],
                description_picking=product["name"],
                picking_id=pid,
                group_id=gid,
                partner_id=partner,
                product_id=product["id"],
                product_uom=product["uom"],
                product_uom_qty=qty,
                product_qty=qty,
                quantity=qty if reserved else 0,
                picked=done,
                state=state,
                date=move_date,
                date_deadline=shipped,
                sale_line_id=lid,
                origin=name,
                reference=pname,
                sequence=10 + j,
                create_date=created,
                write_date=self.now_text,
            )
            if reserved:
                self.writers["stock_move_line"].add(
                    id=ids["move_line_id"],
                    move_id=mid,
                    picking_id=pid,
                    product_id=product["id"],
                    product_uom_id=product["uom"],
                    quantity=qty,
                    quantity_product_uom=qty,
                    picked=done,
                    state=state,
                    date=move_date,
                    reference=pname,
                    create_date=created,
                    write_date=self.now_text,
                )
                ids["move_line_id"] += 1
        self.writers["sale_order"].add(
            id=oid,
            name=name,
            state="sale",
            partner_id=partner,
            ecrm_commercial_partner_id=commercial,
            ecrm_level_id=None,
            partner_invoice_id=commercial,
            partner_shipping_id=partner,
            pricelist_id=self.pricelist,
            date_order=created,
            create_date=created,
            write_date=self.now_text,
            validity_date=(date + timedelta(days=30)).date(),
            amount_untaxed=_money(untaxed),
            amount_tax=_money(tax),
            amount_total=_money(untaxed + tax),
            procurement_group_id=gid,
            delivery_status={"done": "full", "cancel": None}.get(state, "pending"),
            effective_date=shipped if done else None,
            invoice_status="to invoice",
            access_token=None,
            origin=None,
            client_order_ref=None,
            signed_by=None,
            signed_on=None,
            commitment_date=None,
            carrier_id=None,
        )
        self.writers["procurement_group"].add(
            id=gid, name=name, partner_id=partner, sale_id=None,
            create_date=created, write_date=self.now_text,
        )  # fmt: skip
        carrier = (
            self.carriers[oid % len(self.carriers)] if self.carriers else (None, "")
        )
        self.writers["stock_picking"].add(
            id=pid,
            name=pname,
            origin=name,
            partner_id=partner,
            group_id=gid,
            sale_id=oid,
            state=state,
            scheduled_date=shipped,
            date_deadline=shipped,
            date=created,
            date_done=shipped if done else None,
            create_date=created,
            write_date=self.now_text,
            carrier_id=carrier[0],
            carrier_tracking_ref=(
                f"{carrier[1]}{rng.randrange(10**11):011d}"
                if reserved and carrier[0]
                else None
            ),
            printed=done,
            backorder_id=None,
            return_id=None,
            note=None,
        )

    def tickets(self, count, buyers, order_counts, tpl):
        """Creates ``count`` tickets of customers (more for those who buy more)."""
        rng = self.rng
        env = self.env
        company = [("company_id", "in", (self.company.id, False))]
        stages = env["helpdesk.ticket.stage"].search(company)
        open_stages = stages.filtered(lambda s: not s.closed).ids
        closed_stages = stages.filtered("closed").ids or open_stages
        teams = env["helpdesk.ticket.team"].search(company).ids or [None]
        channels = env["helpdesk.ticket.channel"].search([]).ids or [None]
        categories = env["helpdesk.ticket.category"].search([]).ids or [None]
        sequence = env["ir.sequence"].search(
            [("code", "=", "helpdesk.ticket.sequence")], limit=1
        )
        numbers = _reserve_names(sequence, count)
        first_id = _reserve_ids(self.cr, "helpdesk_ticket", count)
        activity = _accumulate(o + 0.5 for o in order_counts)
        partners = [buyers[_pick(rng, activity)][0] for _ in range(count)]
        info = {
            p["id"]: p
            for p in env["res.partner"].browse(set(partners)).read(["name", "email"])
        }
        writer = _Writer(self.cr, "helpdesk_ticket", tpl["helpdesk_ticket"])
        now = _ts(self.now)
        created = sorted(rng.random() * self.span for _ in range(count))
        for k, partner in enumerate(partners):
            date = self.start + timedelta(seconds=created[k])
            closed = (self.now - date).days > 10 and rng.random() < 0.9
            subject = rng.choice(TICKET_SUBJECTS)
            changed = _ts(min(date + timedelta(hours=rng.randint(1, 96)), self.now))
            writer.add(
                id=first_id + k,
                number=numbers[k],
                name=subject,
                description=f"<p>{subject}</p>",
                partner_id=partner,
                commercial_partner_id=partner,
                partner_name=info[partner]["name"],
                partner_email=info[partner]["email"],
                stage_id=rng.choice(closed_stages if closed else open_stages),
                team_id=rng.choice(teams),
                channel_id=rng.choice(channels),
                category_id=rng.choice(categories),
                priority=rng.choice("0001123"),
                create_date=_ts(date),
                write_date=now,
                last_stage_update=changed,
                assigned_date=changed,
                closed_date=changed if closed else None,
                access_token=None,
                active=True,
            )
        writer.flush()
        return writer.count


def generate(
    env, customers, orders, tickets=None, seed=1, months=24, chunk=20000, log=None
):
    """Generates the data set in ``env``'s transaction (the caller commits).

    :param tickets: number of helpdesk tickets (default: customers / 10)
    :return: ``{"counts": {table: rows}, "timings": {step: seconds}}``
    """
    log = log or (lambda msg: None)
    if customers < 1 or orders < 0 or not 0 < chunk:
        raise ValueError("customers >= 1, orders >= 0 and chunk > 0 are required")
    if customers >= 1 << 21:
        raise ValueError("at most 2097151 customers")
    tickets = customers // 10 if tickets is None else tickets
    started = time.monotonic()
    gen = _Generator(env, seed, months, log)

    t = time.monotonic()
    products = _products(env)
    tpl = _templates(env, products)
    gen.step("templates", t)

    # The rows are consistent by construction: as a superuser, skip the foreign
    # key triggers during the load (they cost more than the load itself).
    env.cr.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    bulk = env.cr.fetchone()[0]
    if bulk:
        env.cr.execute("SET LOCAL session_replication_role = replica")
    try:
        t = time.monotonic()
        weights, windows, buyers, partners = gen.customers(customers, tpl)
        gen.step("customers", t)

        t = time.monotonic()
        order_counts, counts = gen.orders(
            orders, weights, windows, buyers, products, tpl, chunk
        )
        gen.step("orders", t)

        t = time.monotonic()
        counts["helpdesk_ticket"] = gen.tickets(tickets, buyers, order_counts, tpl)
        gen.step("tickets", t)
    finally:
        if bulk:
            env.cr.execute("SET LOCAL session_replication_role = DEFAULT")

    t = time.monotonic()
    counts["res_partner"] = partners
    for table in counts:
        env.cr.execute(f'ANALYZE "{table}"')
    env.invalidate_all()
    env.registry.clear_cache()
    gen.step("analyze", t)
    gen.timings["total"] = round(time.monotonic() - started, 2)
    return {"counts": counts, "timings": gen.timings}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", required=True, help="Odoo configuration file")
    parser.add_argument("--db", required=True, help="database with ecrm_core")
    parser.add_argument("--customers", type=int, required=True)
    parser.add_argument("--orders", type=int, required=True)
    parser.add_argument("--tickets", type=int, help="default: customers / 10")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--months", type=int, default=24)
    args = parser.parse_args()

    odoo.tools.config.parse_config(["-c", args.config, "-d", args.db])
    registry = odoo.modules.registry.Registry(args.db)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        result = generate(
            env,
            customers=args.customers,
            orders=args.orders,
            tickets=args.tickets,
            seed=args.seed,
            months=args.months,
            log=lambda msg: print(msg, flush=True),
        )
        t = time.monotonic()
        cr.commit()
        result["timings"]["commit"] = round(time.monotonic() - t, 2)
    for table, count in sorted(result["counts"].items()):
        print(f"{table:32} {count:>10}")
    timings = ", ".join(f"{k} {v}" for k, v in result["timings"].items())
    print(f"timings (s): {timings}")


if __name__ == "__main__":
    main()
