# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import date

from odoo import fields
from odoo.tests import new_test_user, tagged
from odoo.tools import SQL

from .common import MetricsCase

# what names the person: name, email, phone, as typed anywhere
NAMING = ["quintessa", "vorhaugen", "499 ?87 ?65 ?43"]


@tagged("post_install", "-at_install")
class TestForgetEverywhere(MetricsCase):
    """After OCA's wizard forgets a customer, no row of a table the suite
    adds (its models' tables, its own tables, its columns on Odoo's tables)
    names them; the dashboard's figures do not move: the anonymised customer
    is still counted, once."""

    DAY = date(2026, 5, 4)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.user = new_test_user(
            env,
            login="quintessa.vorhaugen@forget.example",
            groups="base.group_portal",
            name="Quintessa Vorhaugen",
            email="quintessa.vorhaugen@forget.example",
            company_id=cls.company.id,
            company_ids=[cls.company.id],
        )
        cls.person = cls.user.partner_id
        cls.person.phone = "+32 499 87 65 43"
        cls.order = cls._order(cls.person, cls.DAY, 120.0)
        env["res.partner"]._ecrm_recompute_all()
        cls.person._ecrm_pin_level(
            env.ref("ecrm_core.ecrm_level_value_added").id,
            "Quintessa Vorhaugen is the owner's cousin",
        )
        env["ecrm.lifecycle.history"].create(
            {
                "partner_id": cls.person.id,
                "company_id": cls.company.id,
                "to_stage": "retention",
            }
        )
        cls.person._ecrm_set_consent(
            "email", "opt_out", "portal", "Quintessa Vorhaugen phoned, +32 499 87 65 43"
        )
        env["ecrm.interaction.log"].create(
            {
                "partner_id": cls.person.id,
                "summary": "Call with Quintessa Vorhaugen",
                "note": "Call back on +32 499 87 65 43",
            }
        )
        picking = cls.order.picking_ids[:1]
        env["ecrm.tracking.event"]._ecrm_record(
            picking, "delivered", "carrier", cls.DAY, "Signed: Q. Vorhaugen", True
        )
        # a try as the lookup records it (its own cursor commits at once: not
        # in a test's transaction)
        env["ecrm.lookup.attempt"].create(
            {"key": f"order:{cls.order.id}", "date": fields.Datetime.now()}
        )
        article = env["ecrm.faq.article"].create(
            {"name": "Returns", "is_published": True}
        )
        env["ecrm.faq.vote"]._ecrm_vote(article, f"u:{cls.user.id}", True)
        rating = cls._rating(picking, 4, cls.DAY)
        rating.feedback = "Quintessa liked it"
        env["ecrm.nps.answer"].create(
            {
                "partner_id": cls.person.id,
                "company_id": cls.company.id,
                "score": 9,
                "date": f"{cls.DAY} 12:00:00",
                "picking_id": picking.id,
                "rating_id": rating.id,
            }
        )
        cls.rule = cls._coupon_rule()
        cls._issue(cls.person, cls.DAY, redeemed_on=cls.order)
        env["helpdesk.ticket"].create(
            {
                "name": "Parcel",
                "description": "Where is it?",
                "partner_id": cls.person.id,
                "partner_name": "Quintessa Vorhaugen",
                "partner_email": "quintessa.vorhaugen@forget.example",
                "company_id": cls.company.id,
            }
        )
        # the identifiers the suite's rows hold instead of a name
        cls.naming = NAMING + [
            f"ref:{cls.order.name}\\M",
            f"order:{cls.order.id}\\M",
            f"u:{cls.user.id}\\M",
        ]

    def _suite_columns(self):
        """{table: [columns]} of everything the suite adds: the tables of its
        models and its own tables (all their columns, read as the row's
        text), its stored fields on other models' tables."""
        cr = self.env.cr
        cr.execute(
            """
            SELECT DISTINCT m.model, f.name, f.ttype, mf.module
              FROM ir_model_fields f
              JOIN ir_model m ON m.id = f.model_id
              JOIN ir_model_data mf ON mf.model = 'ir.model.fields'
                                   AND mf.res_id = f.id
             WHERE mf.module LIKE 'ecrm\\_%%' AND f.store
            """
        )
        columns = {}
        for model, name, _ttype, _module in cr.fetchall():
            records = self.env[model]
            if not records._auto or records._abstract:
                continue
            if model.startswith("ecrm."):
                columns[records._table] = None  # the whole row
            elif records._fields[name].column_type:
                columns.setdefault(records._table, []).append(name)
        cr.execute(
            """
            SELECT relname FROM pg_class c
              JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
               AND c.relname LIKE 'ecrm\\_%%'
            """
        )
        for (table,) in cr.fetchall():
            columns[table] = None
        return columns

    def _naming_tables(self):
        """The tables (``table`` or ``table.column``) with a row naming the
        person."""
        self.env.flush_all()
        found = set()
        for table, names in self._suite_columns().items():
            targets = (
                [(table, SQL("t::text"))]
                if names is None
                else [
                    (f"{table}.{name}", SQL("t.%s::text", SQL.identifier(name)))
                    for name in names
                ]
            )
            for label, text in targets:
                self.env.cr.execute(
                    SQL(
                        "SELECT 1 FROM %s t WHERE %s ~* ANY(%s) LIMIT 1",
                        SQL.identifier(table),
                        text,
                        self.naming,
                    )
                )
                if self.env.cr.fetchone():
                    found.add(label)
        return found

    def test_no_row_names_the_forgotten_customer(self):
        before = self._naming_tables()
        # the data is there, and the search finds it
        self.assertLessEqual(
            {
                "ecrm_profile",
                "ecrm_level_history",
                "ecrm_consent",
                "ecrm_interaction_log",
                "ecrm_tracking_event",
                "ecrm_lookup_attempt",
                "ecrm_faq_vote",
                "helpdesk_ticket.ecrm_sender_email",
            },
            before,
        )
        # the tables the suite adds are all searched, the raw ones included
        tables = self._suite_columns()
        self.assertLessEqual(
            {"ecrm_profile_dirty", "ecrm_coupon_draw", "ecrm_metrics_order_day"},
            set(tables),
        )
        kpis = self.dashboard.get_kpis("2026-05-01", "2026-05-31")
        self.assertEqual((kpis["active_customers"], kpis["nps"]), (1, 100.0))
        officer = self.env.ref("base.user_admin")
        officer.company_ids |= self.company
        self.env["partner.anonymize.wizard"].with_user(officer).with_context(
            active_ids=self.person.ids
        ).create({}).action_confirm()
        self.assertEqual(self._naming_tables(), set())
        self.assertEqual(self.dashboard.get_kpis("2026-05-01", "2026-05-31"), kpis)
