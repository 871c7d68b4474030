# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import date, datetime, time

from freezegun import freeze_time

from odoo import Command
from odoo.tests import TransactionCase
from odoo.tests.common import JsonRpcException


class JsonRpcMixin:
    """For HttpCase tests acting as a logged-in user over JSON-RPC."""

    def rpc(self, model, method, *args, **kwargs):
        """(result, error) of a JSON-RPC call of ``model.method``."""
        params = {
            "model": model,
            "method": method,
            "args": list(args),
            "kwargs": kwargs,
        }
        try:
            return self.make_jsonrpc_request("/web/dataset/call_kw", params), None
        except JsonRpcException as e:
            return None, e


class EcrmCase(TransactionCase):
    """A company of its own (EUR, with USD at 2 USD = 1 EUR), products in
    three categories and helpers to place orders on given days."""

    TODAY = date(2026, 6, 30)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        eur, usd = cls.env.ref("base.EUR"), cls.env.ref("base.USD")
        (eur | usd).active = True
        cls.company = cls.env["res.company"].create(
            {"name": "eCRM Test Co", "currency_id": eur.id}
        )
        cls.env.user.company_ids |= cls.company
        cls.env = cls.env(
            context=dict(cls.env.context, allowed_company_ids=[cls.company.id])
        )
        cls.env["res.currency.rate"].create(
            {
                "name": date(2020, 1, 1),
                "currency_id": usd.id,
                "company_id": cls.company.id,
                "rate": 2.0,
            }
        )
        cls.usd_pricelist = cls.env["product.pricelist"].create(
            {"name": "USD", "currency_id": usd.id, "company_id": cls.company.id}
        )
        cls.eur_pricelist = cls.env["product.pricelist"].create(
            {"name": "EUR", "currency_id": eur.id, "company_id": cls.company.id}
        )
        categories = cls.env["product.category"].create(
            [{"name": f"eCRM category {n}"} for n in range(3)]
        )
        cls.products = cls.env["product.product"].create(
            [
                {
                    "name": f"eCRM product {n}",
                    "type": "service",
                    "categ_id": category.id,
                    "taxes_id": False,
                }
                for n, category in enumerate(categories)
            ]
        )
        cls.level_foundational = cls.env.ref("ecrm_core.ecrm_level_foundational")
        cls.level_centred = cls.env.ref("ecrm_core.ecrm_level_customer_centred")
        cls.level_value = cls.env.ref("ecrm_core.ecrm_level_value_added")

    @classmethod
    def _customer(cls, name="Customer", **values):
        return cls.env["res.partner"].create(dict(values, name=name))

    @classmethod
    def _order(cls, partner, amount, day, product=None, pricelist=None, confirm=True):
        """An order of ``amount`` (untaxed, in the pricelist currency) placed
        and confirmed on ``day``."""
        with freeze_time(datetime.combine(day, time(12))):
            order = cls.env["sale.order"].create(
                {
                    "partner_id": partner.id,
                    "company_id": cls.company.id,
                    "pricelist_id": (pricelist or cls.eur_pricelist).id,
                    "order_line": [
                        Command.create(
                            {
                                "product_id": (product or cls.products[0]).id,
                                "product_uom_qty": 1,
                                "price_unit": amount,
                                "tax_id": False,
                            }
                        )
                    ],
                }
            )
            if confirm:
                order.action_confirm()
        return order

    def _recompute_all(self, day=None):
        with freeze_time(day or self.TODAY):
            self.env["res.partner"]._ecrm_recompute_all()


class DeskCase(EcrmCase):
    """A helpdesk team working Monday–Friday 8–12 and 13–17 UTC, led by
    ``leader``, with two agents."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.calendar = cls.env["resource.calendar"].create(
            {"name": "Desk hours", "tz": "UTC", "company_id": cls.company.id}
        )
        users = cls.env["res.users"].with_context(no_reset_password=True)
        cls.leader, cls.agent_a, cls.agent_b = users.create(
            [
                {
                    "name": name,
                    "login": f"ecrm_{name.lower()}",
                    "email": f"{name.lower()}@desk.example",
                    "company_id": cls.company.id,
                    "company_ids": [(6, 0, cls.company.ids)],
                    "groups_id": [
                        (4, cls.env.ref("helpdesk_mgmt.group_helpdesk_user").id)
                    ],
                }
                for name in ("Leader", "Alice", "Bob")
            ]
        )
        cls.team = cls.env["helpdesk.ticket.team"].create(
            {
                "name": "eCRM desk",
                "company_id": cls.company.id,
                "user_id": cls.leader.id,
                "user_ids": [(6, 0, (cls.agent_a | cls.agent_b).ids)],
                "resource_calendar_id": cls.calendar.id,
            }
        )
        cls.customer = cls._customer(
            "Desk Customer", is_company=True, email="customer@desk.example"
        )

    @classmethod
    def _ticket(cls, name="Help", description="<p>Please help</p>", **values):
        return cls.env["helpdesk.ticket"].create(
            dict(
                {
                    "name": name,
                    "description": description,
                    "partner_id": cls.customer.id,
                    "team_id": cls.team.id,
                    "company_id": cls.company.id,
                },
                **values,
            )
        )

    def _acks(self, ticket):
        template = self.env.ref("ecrm_core.mail_template_ticket_acknowledgement")
        subject = template._render_field("subject", ticket.ids)[ticket.id]
        return self.env["mail.mail"].search(
            [
                ("model", "=", "helpdesk.ticket"),
                ("res_id", "=", ticket.id),
                ("subject", "=", subject),
            ]
        )
