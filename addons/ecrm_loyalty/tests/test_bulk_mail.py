# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import ast
import textwrap
from datetime import timedelta
from unittest.mock import patch

import psycopg2

from odoo import Command
from odoo.tests import tagged
from odoo.tools import SQL

from odoo.addons.ecrm_loyalty.models.mail_template import (
    ECRM_MAIL_LAYOUT,
    MAIL_CHUNK,
    _ecrm_path_column,
    _ecrm_path_value,
    _ecrm_shorten,
)
from odoo.addons.ecrm_loyalty.tools import statement_pipeline

from .common import LoyaltyCase


@tagged("post_install", "-at_install")
class TestBulkMail(LoyaltyCase):
    """The coupon mails rendered once per batch are the mails Odoo's
    send_mail_batch gives, row for row, their messages' bodies without the
    layout."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.template = cls.env.ref("ecrm_loyalty.mail_template_ecrm_coupon")
        names = (
            'O\'Brien & <Söhne> "Ltd"',
            "Zoë / Ünal",
            "Back\\slash Name",
            "Non\xa0Breaking",
        )
        partners = cls.customer_a | cls.customer_b | cls.customer_c
        partners |= cls._customer("Extra", email="extra@loyalty.example")
        for partner, name in zip(partners, names, strict=True):
            partner.name = name
        cls.cards = cls.env["loyalty.card"].create(
            [
                {
                    "program_id": cls.program_products.id,
                    "partner_id": partner.id,
                    "points": 1,
                    "expiration_date": cls.today + timedelta(days=index),
                    "ecrm_product_ids": [Command.set(cls.products[: index + 1].ids)],
                }
                for index, partner in enumerate(partners)
            ]
        )
        cls.cards[-1].expiration_date = False

    def _rows(self, mail_ids):
        """{res_id: (message row, mail row, partners, recipients)} without the
        ids and the message id."""
        self.env.flush_all()
        cr = self.env.cr
        cr.execute(
            SQL(
                """
                SELECT to_jsonb(msg) - 'id' - 'message_id' - 'date',
                       to_jsonb(mm) - 'id' - 'mail_message_id',
                       ARRAY(SELECT res_partner_id FROM mail_message_res_partner_rel
                              WHERE mail_message_id = msg.id ORDER BY 1),
                       ARRAY(SELECT res_partner_id FROM mail_mail_res_partner_rel
                              WHERE mail_mail_id = mm.id ORDER BY 1),
                       msg.message_id
                  FROM mail_mail mm
                  JOIN mail_message msg ON msg.id = mm.mail_message_id
                 WHERE mm.id = ANY(%s)
                """,
                list(mail_ids),
            )
        )
        rows = {}
        for message, mail, partners, recipients, message_id in cr.fetchall():
            self.assertRegex(message_id, rf"-{message['res_id']}-loyalty.card@")
            rows[message["res_id"]] = (message, mail, partners, recipients)
        return rows

    def test_bulk_equals_odoo(self):
        # one copy a statement (ids and values kept apart across chunks),
        # and all the copies in one (kept apart within a chunk)
        # with and without the marketing mails' unsubscribe headers
        for chunk in (1, MAIL_CHUNK):
            for unsubscribe in (False, True):
                with self.subTest(chunk=chunk, unsubscribe=unsubscribe):
                    self._assert_bulk_equals_odoo(chunk, unsubscribe)

    def _assert_bulk_equals_odoo(self, chunk, unsubscribe):
        template = self.template.with_context(ecrm_unsubscribe=unsubscribe)
        self.assertTrue(template._ecrm_bulk_renderable())
        theirs = template.send_mail_batch(
            self.cards.ids, email_layout_xmlid=ECRM_MAIL_LAYOUT
        )
        Template = type(self.template)
        # no fallback to Odoo's rendering mail by mail
        with (
            self.assertNoLogs("odoo.addons.ecrm_loyalty.models.mail_template"),
            patch("odoo.addons.ecrm_loyalty.models.mail_template.MAIL_CHUNK", chunk),
            patch.object(
                Template,
                "_ecrm_send_mail_odoo",
                autospec=True,
                side_effect=Template._ecrm_send_mail_odoo,
            ) as by_odoo,
        ):
            ours = template._ecrm_send_mail_bulk(self.cards.ids)
        # by Odoo: the model of the copies, and the name with a no-break space
        self.assertEqual(
            [call.args[1] for call in by_odoo.call_args_list],
            [[self.cards[0].id], [self.cards[3].id]],
        )
        self.assertEqual(set(ours), set(self.cards.ids))
        expected = self._rows(theirs.ids)
        # the messages of the mails rendered once per batch keep the body
        # without the layout, as the mass mail composer stores them; the
        # one Odoo rendered alone (no-break space) is send_mail_batch's
        Message = self.env["mail.message"]
        bodies = self.template._generate_template(self.cards[:3].ids, ["body_html"])
        for card in self.cards[:3]:
            expected[card.id][0]["body"] = str(
                Message._fields["body"].convert_to_column(
                    bodies[card.id]["body_html"], Message
                )
            )
        got = self._rows(ours.values())
        self.assertEqual(got, expected)
        self.assertIn(self.cards[1].code, got[self.cards[1].id][0]["body"])
        self.assertNotIn("Powered by", got[self.cards[1].id][0]["body"])
        body = got[self.cards[0].id][1]["body_html"]
        self.assertIn("O&#39;Brien &amp; &lt;Söhne&gt; &#34;Ltd&#34;", body)
        self.assertIn(self.cards[0].code, body)
        self.assertNotIn(
            "ecrm",
            body.replace("eCRM", "").replace("/ecrm/unsubscribe", ""),
            "no placeholder left",
        )
        # each mail its recipient's one-click unsubscribe (or none)
        Consent = self.env["ecrm.consent"]
        for card in self.cards:
            headers = got[card.id][1]["headers"]
            if not unsubscribe:
                self.assertFalse(headers)
                continue
            self.assertEqual(
                ast.literal_eval(headers),
                Consent._ecrm_unsubscribe_headers(
                    card.partner_id, card.get_base_url(), self.company
                ),
            )
        self.assertEqual(
            len({row[1]["headers"] for row in got.values()}),
            len(self.cards) if unsubscribe else 1,
        )
        mails = self.env["mail.mail"].browse(ours.values())
        self.assertEqual(set(mails.mapped("state")), {"outgoing"})
        self.assertEqual(
            {mail.res_id: mail.recipient_ids for mail in mails},
            {card.id: card.partner_id for card in self.cards},
        )

    def test_bodies_compressed_with_lz4(self):
        """The bodies in their layout are compressed with lz4 where the
        server has it, and the transaction's setting is left as it was."""
        cr = self.env.cr
        cr.execute(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = %s",
            ["default_toast_compression"],
        )
        if not (cr.fetchone() or [False])[0]:
            self.skipTest("PostgreSQL without lz4")
        cr.execute("SHOW default_toast_compression")
        before = cr.fetchone()[0]
        mails = self.template._ecrm_send_mail_bulk(self.cards[:3].ids)
        cr.execute("SHOW default_toast_compression")
        self.assertEqual(cr.fetchone()[0], before)
        self.env.flush_all()
        cr.execute(
            "SELECT pg_column_compression(body_html) FROM mail_mail WHERE id = ANY(%s)"
            " AND octet_length(body_html) > 2100",
            [list(mails.values())[1:]],
        )
        self.assertEqual({row[0] for row in cr.fetchall()}, {"lz4"})

    def test_fields_rendered_as_odoo(self):
        """The subject, addresses and recipients are Odoo's whether they are
        rendered by substitution (field paths, a list of partners with one
        that does not exist) or by Odoo (an expression that is not a field
        path)."""
        Mail = self.env["mail.mail"]
        for values in (
            {
                "subject": "{{ object.code }} for {{ object.partner_id.name }}",
                "partner_to": "{{ object.partner_id.id }},999999999",
                "email_to": "info@loyalty.example",
                "reply_to": "{{ object.program_id.company_id.email_formatted }}",
            },
            {"subject": "{{ object.code.lower() }}"},
        ):
            with self.subTest(values=values):
                template = self.template.copy(values)
                self.assertEqual(
                    template._ecrm_inline_renderable(), "lower" not in values["subject"]
                )
                theirs = template.send_mail_batch(
                    self.cards.ids, email_layout_xmlid=ECRM_MAIL_LAYOUT
                )
                # no fallback: the substitution gives Odoo's values
                with self.assertNoLogs("odoo.addons.ecrm_loyalty.models.mail_template"):
                    ours = Mail.browse(
                        template._ecrm_send_mail_bulk(self.cards.ids).values()
                    )
                self.maxDiff = None
                self.assertEqual(self._fields_rows(ours), self._fields_rows(theirs))

    @staticmethod
    def _fields_rows(mails):
        fields = ("res_id", "subject", "email_from", "email_to", "reply_to")
        return sorted(
            (*(mail[fname] for fname in fields), mail.recipient_ids.ids)
            for mail in mails
        )

    def test_other_templates_rendered_by_odoo(self):
        """A template that is not field-path only (here a method call) is
        rendered by send_mail_batch, mail by mail."""
        template = self.template.copy(
            {"body_html": '<p>Code: <t t-out="object.code.lower()"/></p>'}
        )
        self.assertFalse(template._ecrm_bulk_renderable())
        ours = template._ecrm_send_mail_bulk(self.cards.ids)
        mails = self.env["mail.mail"].browse(ours.values())
        self.assertEqual(len(mails), len(self.cards))
        self.assertIn(self.cards[0].code.lower(), mails[0].body_html)

    def test_path_columns_as_odoo(self):
        """A field path read a field at a time for a batch gives what Odoo's
        substitution reads record by record: empty many2ones, a relational
        value at the end, a one2many on the way, a field that does not exist
        (None: the path's default)."""
        cards = self.cards | self.env["loyalty.card"].create(
            {"program_id": self.program_products.id, "points": 1}
        )
        paths = (
            ["code"],
            ["partner_id", "name"],
            ["partner_id", "lang"],
            ["partner_id", "id"],
            ["partner_id"],
            ["program_id", "company_id", "email_formatted"],
            ["ecrm_products_text"],
            ["display_name"],
            ["history_ids", "description"],
            ["partner_id", "no_such_field"],
            [],
        )
        for path in paths:
            with self.subTest(path=path):
                self.env.invalidate_all()
                expected = [_ecrm_path_value(card, path) for card in cards]
                self.env.invalidate_all()
                self.assertEqual(_ecrm_path_column(cards, path), expected)

    def test_preview_shortened_as_odoo(self):
        """The preview is cut where textwrap.shorten cuts the whole text
        (mail.message's preview), long words and hyphens included."""
        words = ["coupon", "x" * 200, "well-known", "Zoë", "a", "10%", "-", "--x--"]
        texts = [" ".join(words[i % len(words)] for i in range(n)) for n in (1, 5, 40)]
        # hyphens textwrap does not break at (codes, numbers) or does
        for hyphenated in ("[SYN-001]", "a-1", "x-", "é-à", "a_-b", "q--"):
            for index in range(30, 40):
                texts.append(" ".join(["word"] * index + [hyphenated] + ["tail"] * 20))
        texts += [
            "y" * 190,
            "y" * 191,
            "y" * 189 + " z",
            "y" * 190 + " z",
            " lead  and\xa0trail  " + "w " * 120,
            "long-" * 60,
        ]
        for text in texts:
            with self.subTest(text=text[:40]):
                self.assertEqual(_ecrm_shorten(text), textwrap.shorten(text, 190))

    def _pipeline_table(self):
        cr = self.env.cr
        cr.execute("CREATE TEMPORARY TABLE ecrm_pipeline_test (n int PRIMARY KEY)")
        self.addCleanup(cr.execute, "DROP TABLE IF EXISTS ecrm_pipeline_test")

        def rows():
            cr.execute("SELECT array_agg(n ORDER BY n) FROM ecrm_pipeline_test")
            return cr.fetchone()[0]

        def insert(*values):
            return SQL(
                "INSERT INTO ecrm_pipeline_test SELECT unnest(%s::int[])", list(values)
            )

        return rows, insert

    def test_statement_pipeline(self):
        """The pipeline's statements run in their order, in the caller's
        transaction (a later one sees the earlier ones' rows; a savepoint
        of the caller undoes them)."""
        rows, insert = self._pipeline_table()
        with self.env.cr.savepoint(flush=False) as savepoint:
            with statement_pipeline(self.env.cr) as submit:
                submit(insert(1, 2))
                submit(
                    SQL(
                        "INSERT INTO ecrm_pipeline_test"
                        " SELECT max(n) + 1 FROM ecrm_pipeline_test"
                    )
                )
                submit(insert(10))
            self.assertEqual(rows(), [1, 2, 3, 10])
            savepoint.rollback()
        self.assertIsNone(rows())

    def test_statement_pipeline_errors(self):
        """A statement's error is raised when the block is left (the first
        one, not the aborted transaction's that follow); an error of the
        caller's leaves the statements not started yet unrun."""
        rows, insert = self._pipeline_table()
        with (
            self.assertRaises(psycopg2.errors.UniqueViolation),
            self.env.cr.savepoint(flush=False),
            statement_pipeline(self.env.cr) as submit,
        ):
            submit(insert(1))
            submit(insert(1))
            submit(insert(2))
        self.assertIsNone(rows())
        with (
            self.assertRaises(ValueError),
            statement_pipeline(self.env.cr) as submit,
        ):
            # still running when the caller fails: the next one is not
            submit(SQL("SELECT pg_sleep(1)"))
            submit(insert(3))
            raise ValueError("the caller's error")
        self.assertIsNone(rows())
