# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The synthetic data generator makes data that Odoo's own screens and flows accept."""

import pytest
from bench.generator import generate
from lxml import etree

CUSTOMERS = 200
ORDERS = 1000
TICKETS = 60
TABLES = (
    "res_partner",
    "sale_order",
    "sale_order_line",
    "procurement_group",
    "stock_picking",
    "stock_move",
    "stock_move_line",
    "helpdesk_ticket",
)
SCREEN_MODELS = ("sale.order", "res.partner", "stock.picking", "helpdesk.ticket")


@pytest.fixture(scope="module")
def data(env):
    """Generates a small data set; returns the ids of the generated rows per table."""
    before = {}
    for table in TABLES:
        env.cr.execute(f'SELECT COALESCE(max(id), 0) FROM "{table}"')
        before[table] = env.cr.fetchone()[0]
    result = generate(env, customers=CUSTOMERS, orders=ORDERS, tickets=TICKETS, seed=7)
    ids = {}
    for table in TABLES:
        env.cr.execute(
            f'SELECT id FROM "{table}" WHERE id > %s ORDER BY id', [before[table]]
        )
        ids[table] = [r[0] for r in env.cr.fetchall()]
    return {"result": result, "ids": ids}


def _records(env, data, model):
    return env[model].browse(data["ids"][env[model]._table])


def test_counts(env, data):
    ids = data["ids"]
    partners = _records(env, data, "res.partner")
    assert len(partners.filtered(lambda p: not p.parent_id)) == CUSTOMERS
    assert partners.filtered("is_company").child_ids
    assert len(ids["sale_order"]) == ORDERS
    assert len(ids["stock_picking"]) == ORDERS
    assert len(ids["sale_order_line"]) == len(ids["stock_move"]) >= ORDERS
    assert len(ids["helpdesk_ticket"]) == TICKETS
    assert data["result"]["counts"]["sale_order"] == ORDERS


def test_states_spread(env, data):
    orders = _records(env, data, "sale.order")
    pickings = _records(env, data, "stock.picking")
    assert set(orders.mapped("state")) == {"sale"}
    assert set(pickings.mapped("state")) == {
        "draft",
        "confirmed",
        "assigned",
        "done",
        "cancel",
    }
    if "carrier_tracking_ref" in pickings._fields and env["delivery.carrier"].search(
        [("company_id", "in", (env.company.id, False))]
    ):  # stock_delivery installed, with carriers
        shipped = pickings.filtered(lambda p: p.state in ("assigned", "done"))
        assert all(shipped.mapped("carrier_tracking_ref"))
    assert all(p.sale_id.procurement_group_id == p.group_id for p in pickings)
    dates = orders.mapped("date_order")
    assert (max(dates) - min(dates)).days > 600


def test_amounts_consistent(env, data):
    env.cr.execute(
        """
        SELECT count(*) FROM sale_order o
          JOIN (SELECT order_id, sum(price_subtotal) untaxed, sum(price_total) total
                  FROM sale_order_line GROUP BY order_id) l ON l.order_id = o.id
         WHERE o.id = ANY(%s)
           AND (l.untaxed != o.amount_untaxed OR l.total != o.amount_total
                OR o.amount_untaxed + o.amount_tax != o.amount_total)
        """,
        [data["ids"]["sale_order"]],
    )
    assert env.cr.fetchone()[0] == 0
    # Odoo's own computation (taxes included) gives the stored amounts.
    orders = _records(env, data, "sale.order")[:20]
    stored = [(o.amount_untaxed, o.amount_tax, o.amount_total) for o in orders]
    orders.order_line._compute_amount()
    orders._compute_amounts()
    assert [(o.amount_untaxed, o.amount_tax, o.amount_total) for o in orders] == stored


def test_power_law(env, data):
    env.cr.execute(
        """
        SELECT count(o.id) FROM res_partner p
          LEFT JOIN sale_order o ON o.partner_invoice_id = p.id
         WHERE p.id = ANY(%s) AND p.parent_id IS NULL
         GROUP BY p.id ORDER BY 1 DESC
        """,
        [data["ids"]["res_partner"]],
    )
    counts = [r[0] for r in env.cr.fetchall()]
    assert sum(counts) == ORDERS
    assert sum(counts[: len(counts) // 5]) > 0.5 * ORDERS


def test_foreign_keys(env, data):
    """Rows are loaded without foreign key triggers: every reference must exist."""
    env.cr.execute(
        """
        SELECT c.conrelid::regclass::text, a.attname, c.confrelid::regclass::text
          FROM pg_constraint c
          JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
         WHERE c.contype = 'f' AND cardinality(c.conkey) = 1
           AND c.conrelid::regclass::text = ANY(%s)
        """,
        [[*TABLES, "account_tax_sale_order_line_rel"]],
    )
    orphans = []
    for table, column, target in env.cr.fetchall():
        env.cr.execute(
            f'SELECT count(*) FROM "{table}" t WHERE t."{column}" IS NOT NULL '
            f'AND NOT EXISTS (SELECT 1 FROM "{target}" r WHERE r.id = t."{column}")'
        )
        if env.cr.fetchone()[0]:
            orphans.append(f"{table}.{column}")
    assert not orphans


def _arch_fields(arch):
    return set(etree.fromstring(arch).xpath("//field[not(ancestor::field)]/@name"))


def _specification(model, names):
    spec = {}
    for name in names:
        field = model._fields[name]
        spec[name] = {"fields": {"display_name": {}}} if field.relational else {}
    return spec


@pytest.mark.parametrize("model_name", SCREEN_MODELS)
def test_screens_open(env, data, model_name):
    model = env[model_name]
    views = model.get_views([(False, "list"), (False, "form")])["views"]
    records = _records(env, data, model_name)
    list_spec = _specification(model, _arch_fields(views["list"]["arch"]))
    page = model.web_search_read(
        [("id", "in", records.ids)], list_spec, limit=80, count_limit=10001
    )
    assert page["length"] == len(records)
    assert len(page["records"]) == min(80, len(records))
    form_spec = _specification(model, _arch_fields(views["form"]["arch"]))
    record = records[len(records) // 2]
    assert record.web_read(form_spec)[0]["id"] == record.id


def test_read_group(env, data):
    groups = env["sale.order"]._read_group(
        [("id", "in", data["ids"]["sale_order"])],
        ["partner_id", "state"],
        ["amount_total:sum", "__count"],
    )
    assert sum(count for _partner, _state, _total, count in groups) == ORDERS
    web_groups = env["sale.order"].web_read_group(
        [("id", "in", data["ids"]["sale_order"])], ["amount_total:sum"], ["partner_id"]
    )
    assert web_groups["length"] == len(groups)


def test_cancel_order(env, data):
    pickings = _records(env, data, "stock.picking")
    order = pickings.filtered(lambda p: p.state == "assigned")[:1].sale_id
    order._action_cancel()
    assert order.state == "cancel"
    assert set(order.picking_ids.mapped("state")) == {"cancel"}


def test_validate_delivery(env, data):
    pickings = _records(env, data, "stock.picking")
    picking = pickings.filtered(lambda p: p.state == "assigned")[-1:]
    assert picking.button_validate() is True
    assert picking.state == "done"
    lines = picking.sale_id.order_line
    assert lines.mapped("qty_delivered") == lines.mapped("product_uom_qty")


def test_partner_computes(env, data):
    partners = _records(env, data, "res.partner").filtered(lambda p: not p.parent_id)
    env.cr.execute(
        "SELECT partner_invoice_id, count(*) FROM sale_order "
        "WHERE id = ANY(%s) GROUP BY 1",
        [data["ids"]["sale_order"]],
    )
    expected = dict(env.cr.fetchall())
    partners._compute_sale_order_count()
    assert {
        p.id: p.sale_order_count for p in partners if p.sale_order_count
    } == expected
    tickets = _records(env, data, "helpdesk.ticket")
    assert tickets.partner_id <= partners
    assert all(tickets.mapped("number"))
