# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Checks of `make test-upgrade` (scripts/test-upgrade), run outside pytest on a
database that the script installs at an earlier release and then updates.

    upgrade_check.py --config C --db D recompute         # the old engine's first run
    upgrade_check.py --config C --db D snapshot FILE     # what the suite stores
    upgrade_check.py --config C --db D compare FILE      # nothing lost
    upgrade_check.py --config C --db D uninstall ADDON   # uninstall, reinstall

A snapshot holds, per table the suite stores data in, the row count and a digest
of the columns that carry meaning; after the update every table and column of
the snapshot must still be there with the same rows. Tables that did not exist
at the earlier release (coupons, tracking events...) are compared once both
releases have them.
"""

import argparse
import hashlib
import json
import sys

import odoo
from odoo.tools import SQL

# table -> key columns + columns whose meaning must survive an update
TABLES = {
    "res_partner": ["id", "name", "email", "commercial_partner_id", "company_id"],
    "sale_order": ["id", "name", "partner_id", "state", "amount_untaxed", "date_order"],
    "ecrm_profile": [
        "partner_id",
        "company_id",
        "level_id",
        "level_pinned",
        "lifecycle_stage",
        "rfm_segment",
        "frequency",
        "monetary",
        "clv",
    ],
    "ecrm_level_history": [
        "partner_id",
        "company_id",
        "date",
        "from_level_id",
        "to_level_id",
        "reason",
    ],
    "ecrm_lifecycle_history": [
        "partner_id",
        "company_id",
        "date",
        "from_stage",
        "to_stage",
    ],
    "ecrm_consent": ["partner_id", "company_id", "channel", "state", "source"],
    "ecrm_interaction_log": ["id", "partner_id", "date", "channel", "summary"],
    "helpdesk_ticket": [
        "id",
        "partner_id",
        "stage_id",
        "ecrm_level_id",
        "ecrm_first_response_deadline",
        "ecrm_first_response_date",
        "ecrm_sla_state",
    ],
    "ecrm_tracking_event": ["picking_id", "order_id", "state", "date", "source"],
    "ecrm_coupon_issue": [
        "rule_id",
        "partner_id",
        "period_start",
        "card_id",
        "is_control",
    ],
    "loyalty_card": ["id", "code", "partner_id", "program_id", "points"],
}


def environment(args):
    odoo.tools.config.parse_config(["-c", args.config, "-d", args.db])
    registry = odoo.modules.registry.Registry(args.db)
    return registry


def columns_of(cr, table):
    cr.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s",
        [table],
    )
    return {row[0] for row in cr.fetchall()}


def snapshot(cr):
    result = {}
    for table, wanted in TABLES.items():
        present = columns_of(cr, table)
        cols = [c for c in wanted if c in present]
        if not cols:
            continue
        cr.execute(
            SQL(
                "SELECT %s FROM %s ORDER BY %s",
                SQL(", ").join(SQL("%s::text", SQL.identifier(c)) for c in cols),
                SQL.identifier(table),
                SQL(", ").join(SQL("%s::text", SQL.identifier(c)) for c in cols),
            )
        )
        rows = cr.fetchall()
        digest = hashlib.sha256(json.dumps(rows).encode()).hexdigest()
        result[table] = {"columns": cols, "count": len(rows), "digest": digest}
    audiences = rule_audiences(cr)
    if audiences is not None:
        result["ecrm_coupon_rule audiences"] = {
            "columns": ["id", "lifecycle_stages", "rfm_segments"],
            "count": len(audiences),
            "digest": hashlib.sha256(json.dumps(audiences).encode()).hexdigest(),
        }
    return result


def rule_audiences(cr):
    """[(rule id, stages, segments)] of the coupon rules, the codes sorted:
    comma-separated text columns before ecrm_loyalty 18.0.1.4.0, tags since."""
    present = columns_of(cr, "ecrm_coupon_rule")
    if not present:
        return None
    if "lifecycle_stages" in present:
        parts = [
            SQL(
                "SELECT id, ARRAY(SELECT btrim(c) FROM unnest(string_to_array("
                "COALESCE(%s, ''), ',')) c WHERE btrim(c) != '' ORDER BY 1)"
                " FROM ecrm_coupon_rule",
                SQL.identifier(column),
            )
            for column in ("lifecycle_stages", "rfm_segments")
        ]
    else:
        parts = [
            SQL(
                "SELECT r.id, ARRAY(SELECT t.code FROM %s rel"
                " JOIN ecrm_audience_tag t ON t.id = rel.tag_id"
                " WHERE rel.rule_id = r.id ORDER BY 1) FROM ecrm_coupon_rule r",
                SQL.identifier(relation),
            )
            for relation in (
                "ecrm_coupon_rule_stage_rel",
                "ecrm_coupon_rule_segment_rel",
            )
        ]
    columns = []
    for part in parts:
        cr.execute(part)
        columns.append(dict(cr.fetchall()))
    stages, segments = columns
    return [[rule, stages[rule], segments[rule]] for rule in sorted(stages)]


def compare(before, after):
    problems = []
    for table, old in before.items():
        new = after.get(table)
        if new is None:
            problems.append(f"{table}: gone")
            continue
        if new["columns"] != old["columns"]:
            problems.append(f"{table}: columns {old['columns']} -> {new['columns']}")
        elif new["count"] != old["count"]:
            problems.append(f"{table}: {old['count']} rows -> {new['count']}")
        elif new["digest"] != old["digest"]:
            problems.append(f"{table}: same count, changed contents")
        else:
            print(f"{table:26} {old['count']:>8} rows: unchanged")
    return problems


def uninstall_and_reinstall(registry, addon):
    """Uninstall ADDON (and what depends on it), check that Odoo still works and
    that nothing of it is left, then install it (and those) again."""
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        module = env["ir.module.module"].search([("name", "=", addon)])
        dependents = module.downstream_dependencies().filtered(
            lambda m: m.state == "installed"
        )
        names = [addon, *dependents.mapped("name")]
        module.button_immediate_uninstall()
    registry = odoo.modules.registry.Registry(registry.db_name)
    problems = []
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        for name in names:
            state = env["ir.module.module"].search([("name", "=", name)]).state
            if state != "uninstalled":
                problems.append(f"{name} is {state} after its uninstallation")
        # technical records must go; business records that customers' data
        # still references (a loyalty program with issued coupons) stay, as
        # Odoo keeps them for any addon
        cr.execute(
            """
            SELECT model, name FROM ir_model_data
             WHERE module = ANY(%s)
               AND (model LIKE 'ir.%%' OR model IN ('mail.template', 'res.groups'))
            """,
            [names],
        )
        problems += [f"left behind: {model} {name}" for model, name in cr.fetchall()]
        # nothing dangling: crons, actions and views of models that are gone,
        # SQL views of the suite that no model reads any more
        tables = {model._table for model in env.registry.values()}
        for xmodel, field in (
            ("ir.cron", "model_name"),
            ("ir.actions.server", "model_name"),
            ("ir.actions.act_window", "res_model"),
            ("ir.ui.view", "model"),
        ):
            records = env[xmodel].with_context(active_test=False).search([])
            problems += [
                f"left behind: {xmodel} {record.display_name} on {record[field]}"
                for record in records
                if record[field] and record[field] not in env.registry
            ]
        cr.execute(
            "SELECT table_name FROM information_schema.views"
            " WHERE table_name LIKE 'ecrm%%'"
        )
        problems += [
            f"left behind: SQL view {name}"
            for (name,) in cr.fetchall()
            if name not in tables
        ]
        # Odoo still works: the main screens of what the suite extended render.
        for model in (
            "res.partner",
            "sale.order",
            "helpdesk.ticket",
            "res.config.settings",
        ):
            env[model].get_views([(False, "form"), (False, "list"), (False, "search")])
        env["ir.ui.menu"].load_web_menus(debug=False)
        print(f"{addon}: uninstalled ({', '.join(names)}), Odoo's screens still load")
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        env["ir.module.module"].search(
            [("name", "in", names)]
        ).button_immediate_install()
    registry = odoo.modules.registry.Registry(registry.db_name)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        states = env["ir.module.module"].search([("name", "in", names)]).mapped("state")
        if set(states) != {"installed"}:
            problems.append(f"reinstalling {names}: {states}")
        else:
            print(f"{addon}: reinstalled")
    return problems


def add_consents_and_logs(env):
    """What the generator does not make: consents and logged interactions of
    some customers, through the earlier release's own API (a production
    database has them; the demo data is not installed)."""
    customers = env["ecrm.profile"].search([], limit=200, order="id").partner_id
    for n, customer in enumerate(customers):
        state = "opt_out" if n % 3 == 0 else "opt_in"
        customer._ecrm_set_consent("email", state, "backend", note=f"upgrade {n}")
    env["ecrm.interaction.log"].create(
        [
            {
                "partner_id": customer.id,
                "summary": f"Call {n}",
                "channel": "phone",
                "direction": "out" if n % 2 else "in",
            }
            for n, customer in enumerate(customers[:100])
        ]
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument(
        "command", choices=["recompute", "snapshot", "compare", "uninstall"]
    )
    parser.add_argument("arg", nargs="?")
    args = parser.parse_args()
    registry = environment(args)
    problems = []
    if args.command == "uninstall":
        problems = uninstall_and_reinstall(registry, args.arg)
    else:
        with registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            if args.command == "recompute":
                for company in env["res.company"].search([]):  # pylint: disable=no-search-all
                    env["res.partner"].with_company(company)._ecrm_recompute_all()
                add_consents_and_logs(env)
                cr.commit()
            elif args.command == "snapshot":
                with open(args.arg, "w", encoding="utf-8") as f:
                    json.dump(snapshot(cr), f, indent=1)
            else:
                with open(args.arg, encoding="utf-8") as f:
                    problems = compare(json.load(f), snapshot(cr))
    for problem in problems:
        print(f"PROBLEM: {problem}")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
