# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The demo history of the dashboard, generated at install with the demo data
(``hooks.post_init_hook``): 14 months of orders, tickets, ratings and
deliveries for the demo customers, then the profiles and the snapshots, so
that every chart of the dashboard has something to show. Not runtime code."""

import random
from datetime import datetime, time, timedelta

from odoo import Command, fields
from odoo.tools import SQL


def generate_history(env, months=14, seed=7):
    """Orders over the last ``months`` for the demo customers (more for a
    few loyal ones), some cancelled, their deliveries validated (mostly on
    time), tickets answered within or after their deadline and ratings;
    then the profiles and the snapshots. Dates are set in SQL, relative to
    today, as they would be after the fact."""
    rng = random.Random(seed)
    company = env.ref("base.main_company")
    users = env["res.users"].with_context(active_test=False).search([])  # pylint: disable=no-search-all
    customers = env["res.partner"].search(
        [
            ("parent_id", "=", False),
            ("id", "not in", users.partner_id.ids),
            ("id", "not in", env["res.company"].search([]).partner_id.ids),  # pylint: disable=no-search-all
            ("company_id", "in", (False, company.id)),
        ],
        limit=30,
        order="id",
    )
    products = env["product.product"].search(
        [("sale_ok", "=", True), ("type", "=", "consu")], limit=6
    )
    today = fields.Date.context_today(env.user)
    vals, days = [], []
    for n, customer in enumerate(customers):
        first = rng.randint(0, months * 30)
        for _ in range(1 + (n % 5 == 0) * 6 + rng.randint(0, 2)):
            days.append(rng.randint(0, first))
            product = products[rng.randrange(len(products))]
            vals.append(
                {
                    "partner_id": customer.id,
                    "company_id": company.id,
                    "order_line": [
                        Command.create(
                            {
                                "product_id": product.id,
                                "product_uom_qty": rng.randint(1, 4),
                            }
                        )
                    ],
                }
            )
    orders = env["sale.order"].with_company(company).create(vals)
    orders.action_confirm()
    cancelled = orders.filtered(lambda o: rng.random() < 0.05)
    cancelled._action_cancel()
    env.flush_all()
    cr = env.cr
    for order, age in zip(orders, days, strict=True):
        when = datetime.combine(today - timedelta(days=age), time(10))
        cr.execute(
            "UPDATE sale_order SET date_order = %s WHERE id = %s", [when, order.id]
        )
        late = rng.random() < 0.15
        cr.execute(
            """
            UPDATE stock_picking
               SET state = 'done', scheduled_date = %s, date_done = %s
             WHERE sale_id = %s AND state NOT IN ('done', 'cancel') AND %s
            """,
            [
                when + timedelta(days=3),
                when + timedelta(days=5 if late else 2),
                order.id,
                age > 3,
            ],
        )
    tickets = env["helpdesk.ticket"].create(
        [
            {
                "name": env._("Question about order %s", order.name),
                "description": env._("When will it arrive?"),
                "partner_id": order.partner_id.id,
                "company_id": company.id,
            }
            for order in orders[::4]
        ]
    )
    env.flush_all()
    for ticket, age in zip(tickets, days[::4], strict=True):
        created = datetime.combine(today - timedelta(days=age), time(9))
        response = created + timedelta(hours=rng.choice((1, 3, 6, 20, 30)))
        cr.execute(
            """
            UPDATE helpdesk_ticket
               SET create_date = %s, ecrm_first_response_date = %s,
                   ecrm_first_response_deadline = %s
             WHERE id = %s
            """,
            [created, response, created + timedelta(hours=8), ticket.id],
        )
        rating = rng.choice((5, 5, 4, 4, 3, 1))
        ticket.rating_ids.unlink()
        cr.execute(
            """
            INSERT INTO rating_rating
                   (res_model_id, res_model, res_id, partner_id, rating, consumed,
                    access_token, create_date, write_date)
            VALUES (%s, 'helpdesk.ticket', %s, %s, %s, TRUE, md5(random()::text),
                    %s, %s)
            """,
            [
                env["ir.model"]._get_id("helpdesk.ticket"),
                ticket.id,
                ticket.partner_id.id,
                rating,
                response,
                response + timedelta(hours=2),
            ],
        )
    env.invalidate_all()
    _campaigns(env, orders - cancelled, dict(zip(orders.ids, days, strict=True)), rng)
    env["ecrm.profile"].with_company(company)._ecrm_recompute_all()
    env["ecrm.metrics.engine"]._ecrm_refresh(full=True)


def _campaigns(env, orders, age, rng):
    """NPS answers after a third of the deliveries; every month for a year,
    coupons of a demo rule to three customers (one more in the control
    group), redeemed on the customer's next order for most of them."""
    today = fields.Date.context_today(env.user)
    delivered = orders.filtered(lambda o: age[o.id] > 3 and rng.random() < 0.3)
    env["ecrm.nps.answer"].create(
        [
            {
                "partner_id": order.partner_id.id,
                "company_id": order.company_id.id,
                "score": rng.choice((10, 10, 9, 9, 8, 7, 6, 3)),
                "date": datetime.combine(
                    today - timedelta(days=age[order.id] - 3), time(18)
                ),
            }
            for order in delivered
        ]
    )
    rule = env.ref(
        "ecrm_loyalty.ecrm_coupon_rule_demo_purchase_history",
        raise_if_not_found=False,
    )
    if not rule:
        return
    customers = orders.partner_id
    for month in range(1, 13):
        issued = today - timedelta(days=30 * month)
        # mostly customers who ordered in the month after: some redeem
        buyers = orders.filtered(
            lambda o, month=month: 0 < 30 * month - age[o.id] <= 30
        ).partner_id
        treated = buyers.browse(rng.sample(buyers.ids, min(3, len(buyers))))
        others = customers - treated
        drawn = treated | others.browse(rng.choice(others.ids))
        cards = env["loyalty.card"].create(
            [
                {"program_id": rule.program_id.id, "partner_id": p.id, "points": 1}
                for p in treated
            ]
        )
        issues = env["ecrm.coupon.issue"].create(
            [
                {
                    "rule_id": rule.id,
                    "partner_id": partner.id,
                    "company_id": rule.company_id.id,
                    "period_start": issued,
                    "is_control": not card,
                    "card_id": card.id,
                }
                for partner, card in zip(drawn, [*cards, cards.browse()], strict=True)
            ]
        )
        env.flush_all()
        for issue in issues:
            redeemed_on = orders.filtered(
                lambda o, issue=issue, month=month: (
                    o.partner_id == issue.partner_id
                    and 0 < 30 * month - age[o.id] <= 30
                )
            )[:1]
            redeem = issue.card_id and redeemed_on and rng.random() < 0.6
            env.cr.execute(
                SQL(
                    "UPDATE ecrm_coupon_issue SET create_date = %s, order_id = %s,"
                    " redeemed_date = %s WHERE id = %s",
                    datetime.combine(issued, time(8)),
                    redeem and redeemed_on.id or None,
                    redeem and redeemed_on.date_order or None,
                    issue.id,
                )
            )
    env.invalidate_all()
