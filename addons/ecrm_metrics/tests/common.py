# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import date, datetime

from odoo import Command
from odoo.tests import TransactionCase


class MetricsCase(TransactionCase):
    """A company of its own (USD) with storable products, and helpers that
    place orders, tickets, ratings and deliveries on given days (dates set in
    SQL, as they would be after the fact)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.usd = cls.env.ref("base.USD")
        cls.company = cls._company("eCRM Metrics Co", cls.usd)
        cls.env = cls.env(
            context=dict(cls.env.context, allowed_company_ids=[cls.company.id])
        )
        cls.product = cls.env["product.product"].create(
            {"name": "Metrics product", "type": "consu", "taxes_id": False}
        )
        cls.dashboard = cls.env["ecrm.dashboard"]

    @classmethod
    def _company(cls, name, currency):
        company = cls.env["res.company"].create(
            {"name": name, "currency_id": currency.id}
        )
        cls.env.user.company_ids |= company
        return company

    @classmethod
    def _customer(cls, name, **vals):
        return cls.env["res.partner"].create(
            {"name": name, "email": f"{name.lower().replace(' ', '.')}@x.test", **vals}
        )

    @classmethod
    def _order(cls, partner, day, amount, company=None, state="sale"):
        company = company or cls.company
        order = (
            cls.env["sale.order"]
            .with_company(company)
            .create(
                {
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "order_line": [
                        Command.create(
                            {
                                "product_id": cls.product.id,
                                "product_uom_qty": 1,
                                "price_unit": amount,
                                "tax_id": False,
                            }
                        )
                    ],
                }
            )
        )
        order.action_confirm()
        if state == "cancel":
            order._action_cancel()
        order.flush_recordset()
        cls.env.cr.execute(
            "UPDATE sale_order SET date_order = %s WHERE id = %s",
            [datetime.combine(day, datetime.min.time().replace(hour=12)), order.id],
        )
        order.invalidate_recordset()
        return order

    @classmethod
    def _ticket(cls, day, created, first_response=None, deadline=None, company=None):
        """A ticket created at ``created`` (hour of ``day``), its first response
        and deadline (datetimes or None): set in SQL as the SLA engine would."""
        company = company or cls.company
        partner = cls._customer(f"Ticket customer {created}")
        ticket = cls.env["helpdesk.ticket"].create(
            {
                "name": "Where is my parcel?",
                "description": "Where is it?",
                "partner_id": partner.id,
                "company_id": company.id,
            }
        )
        ticket.flush_recordset()
        cls.env.cr.execute(
            """
            UPDATE helpdesk_ticket
               SET create_date = %s, ecrm_first_response_date = %s,
                   ecrm_first_response_deadline = %s
             WHERE id = %s
            """,
            [datetime.combine(day, created), first_response, deadline, ticket.id],
        )
        ticket.invalidate_recordset()
        return ticket

    @classmethod
    def _coupon_rule(cls):
        program = cls.env["loyalty.program"].create(
            {
                "name": "Metrics coupons",
                "program_type": "coupons",
                "company_id": cls.company.id,
                "trigger": "with_code",
                "applies_on": "current",
                "rule_ids": [Command.create({"reward_point_amount": 1})],
                "reward_ids": [
                    Command.create(
                        {
                            "reward_type": "discount",
                            "discount": 10,
                            "discount_mode": "percent",
                            "discount_applicability": "order",
                            "required_points": 1,
                        }
                    )
                ],
            }
        )
        return cls.env["ecrm.coupon.rule"].create(
            {
                "name": "Metrics rule",
                "trigger": "win_back",
                "company_id": cls.company.id,
                "program_id": program.id,
                "period_days": 30,
            }
        )

    @classmethod
    def _issue(cls, partner, day, control=False, redeemed_on=None):
        """The rule drew ``partner`` on ``day`` at 8:00 (a coupon, or nothing
        for the control group); the coupon used on ``redeemed_on``."""
        card = cls.env["loyalty.card"]
        if not control:
            card = card.create(
                {"program_id": cls.rule.program_id.id, "partner_id": partner.id}
            )
        issue = cls.env["ecrm.coupon.issue"].create(
            {
                "rule_id": cls.rule.id,
                "partner_id": partner.id,
                "company_id": cls.company.id,
                "period_start": day,
                "is_control": control,
                "card_id": card.id,
            }
        )
        issue.flush_recordset()
        cls.env.cr.execute(
            "UPDATE ecrm_coupon_issue SET create_date = %s, order_id = %s,"
            " redeemed_date = %s WHERE id = %s",
            [
                f"{day} 08:00:00",
                redeemed_on and redeemed_on.id,
                redeemed_on and redeemed_on.date_order,
                issue.id,
            ],
        )
        issue.invalidate_recordset()
        return issue

    @classmethod
    def _rating(cls, record, value, answered, consumed=True):
        rating = cls.env["rating.rating"].create(
            {
                "res_model_id": cls.env["ir.model"]._get_id(record._name),
                "res_id": record.id,
                "rating": value,
                "consumed": consumed,
                "partner_id": record.partner_id.id,
            }
        )
        rating.flush_recordset()
        cls.env.cr.execute(
            "UPDATE rating_rating SET write_date = %s WHERE id = %s",
            [datetime.combine(answered, datetime.min.time()), rating.id],
        )
        return rating

    @classmethod
    def _deliver(cls, order, done, scheduled, deadline=None):
        picking = order.picking_ids[:1]
        picking.flush_recordset()
        cls.env.cr.execute(
            """
            UPDATE stock_picking
               SET state = 'done', date_done = %s, scheduled_date = %s,
                   date_deadline = %s
             WHERE id = %s
            """,
            [
                datetime.combine(done, datetime.min.time().replace(hour=10)),
                datetime.combine(scheduled, datetime.min.time().replace(hour=18)),
                deadline and datetime.combine(deadline, datetime.min.time()),
                picking.id,
            ],
        )
        picking.invalidate_recordset()
        return picking


def d(text):
    return date.fromisoformat(text)
