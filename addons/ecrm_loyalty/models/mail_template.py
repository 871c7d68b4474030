# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import ast
import logging
import re
import secrets
import textwrap
from collections import defaultdict
from contextlib import contextmanager
from functools import reduce
from itertools import islice

from markupsafe import Markup, escape

from odoo import models
from odoo.models import PREFETCH_MAX
from odoo.tools import SQL, html_normalize, is_html_empty
from odoo.tools.mail import html_to_inner_content
from odoo.tools.rendering_tools import parse_inline_template

from odoo.addons.mail.models.mail_message import _image_dataurl

from ..tools import array_literal, new_ids, statement_pipeline

_logger = logging.getLogger(__name__)

# The coupon mails' layout: it reads the message (body, preview, record name),
# the company and the language only, never the record.
ECRM_MAIL_LAYOUT = "mail.mail_notification_light"
# Odoo's field-path QWeb, as mail.render.mixin._render_template_qweb_regex
# substitutes it
T_OUT_REGEX = re.compile(
    r"""<(\w+)[\s|\n]+t-out=[\s|\n]*(\'|\")((\w|\.)+)(\2)[\s|\n]*((\/>)|(>[\s|\n]*([^<>]*?))[\s|\n]*<\/\1>)""",
    flags=re.DOTALL,
)
# mails inserted per statement: the next chunk is prepared while the
# database inserts one
MAIL_CHUNK = 1000
# where textwrap may break a word: a hyphen before a letter or a hyphen
HYPHEN_BREAK = re.compile(r"-[^\W\d]|--")
UNUSUAL_CHARACTERS = re.compile(r"[^\S ]|[\x00-\x1f\x7f-\x9f]")
# the template's fields Odoo renders as inline templates
INLINE_FIELDS = (
    "email_cc",
    "email_from",
    "email_to",
    "lang",
    "partner_to",
    "reply_to",
    "subject",
)
# what send_mail_batch renders, but the body
RENDERED_FIELDS = (
    "attachment_ids",
    "auto_delete",
    "email_cc",
    "email_from",
    "email_to",
    "mail_server_id",
    "model",
    "partner_to",
    "reply_to",
    "report_template_ids",
    "res_id",
    "scheduled_date",
    "subject",
)


class MailTemplate(models.Model):
    _inherit = "mail.template"

    def send_mail_batch(
        self,
        res_ids,
        force_send=False,
        raise_exception=False,
        email_values=None,
        email_layout_xmlid=False,
    ):
        """With ``ecrm_unsubscribe`` in the context (the suite's marketing
        mails: coupons, cart reminders), each mail gets the one-click
        unsubscribe headers of its recipient (RFC 8058); the core puts the
        link in the body from them when the mail is sent."""
        if not self.env.context.get("ecrm_unsubscribe"):
            return super().send_mail_batch(
                res_ids, force_send, raise_exception, email_values, email_layout_xmlid
            )
        mails = super().send_mail_batch(
            res_ids, False, raise_exception, email_values, email_layout_xmlid
        )
        Consent = self.env["ecrm.consent"]
        for mail in mails.filtered("recipient_ids"):
            base_url = self.env[mail.model].browse(mail.res_id).get_base_url()
            mail.headers = _ecrm_headers(
                _ecrm_headers_dict(mail.headers),
                Consent._ecrm_unsubscribe_headers(
                    mail.recipient_ids.browse(min(mail.recipient_ids.ids)), base_url
                ),
            )
        if force_send:
            mails.send(raise_exception=raise_exception)
        return mails

    def _ecrm_bulk_renderable(self):
        """Whether Odoo renders this template's body by substitution alone
        (field paths, see ``_render_template_qweb_regex``) and creates nothing
        but the mail for each record (no attachment, report, embedded image
        or scheduled date): then ``_ecrm_send_mail_bulk`` can render the body
        once (the other fields are rendered by Odoo, per record)."""
        self.ensure_one()
        return bool(
            self.body_html
            and not is_html_empty(self.body_html)
            and not self.attachment_ids
            and not self.report_template_ids
            and not self.scheduled_date
            and not _image_dataurl.search(self.body_html)
            and not self._has_unsafe_expression_template_qweb(
                self.body_html, self.render_model
            )
        )

    def _ecrm_send_mail_bulk(self, res_ids):
        """Queue the mails ``send_mail_batch(res_ids, email_layout_xmlid=
        ECRM_MAIL_LAYOUT)`` would, in a few statements: ``{res_id:
        mail_id}``. The mails are identical; their messages keep the body
        without the layout, as Odoo's mass mail composer stores them.

        Per language, company and base URL, the first record's mail is
        created by ``send_mail_batch`` itself; the body and the layout are
        rendered once with placeholders, each record's field values are
        substituted (escaped as Odoo's renderer and HTML sanitizer write them)
        and checked against that first mail, whose rows are then copied for
        the others with their own body, subject, addresses, recipients and
        message id. Templates that are not field-path only, and records whose
        values hold HTML or control characters, go through
        ``send_mail_batch``."""
        self.ensure_one()
        if not res_ids:
            return {}
        if not self._ecrm_bulk_renderable():
            return self._ecrm_send_mail_odoo(res_ids)
        self._send_check_access(res_ids)
        records = self.env[self.model].browse(res_ids)
        columns = {}
        if not self.lang:
            langs = [False] * len(res_ids)
        elif self._ecrm_inline_renderable():
            langs = self._ecrm_render_inline(records, self.lang, columns)
        else:
            rendered = self._render_lang(res_ids)
            langs = [rendered[res_id] for res_id in res_ids]
        default_company = self.env.company
        company_fname = records._mail_get_company_field()
        companies = (
            _ecrm_path_column(records, [company_fname, "id"])
            if company_fname
            else [False] * len(res_ids)
        )
        # website's get_base_url depends on the record's website and company
        # only: asked once for each of them, not once per record
        url_fields = [f for f in ("website_id", "company_id") if f in records._fields]
        website_keys = list(
            zip(
                *(_ecrm_path_column(records, [fname, "id"]) for fname in url_fields),
                strict=True,
            )
        ) or [()] * len(res_ids)
        base_urls = {}
        groups = defaultdict(list)
        for record, lang, company_id, website_key in zip(
            records, langs, companies, website_keys, strict=True
        ):
            if website_key not in base_urls:
                base_urls[website_key] = record.get_base_url()
            key = (lang or False, company_id, base_urls[website_key])
            groups[key].append(record.id)
        result = {}
        Company = self.env["res.company"]
        for (lang, company_id, base_url), ids in groups.items():
            company = Company.browse(company_id) if company_id else default_company
            result.update(self._ecrm_send_group(ids, lang, company, base_url))
        return result

    def _ecrm_inline_renderable(self):
        """Whether Odoo renders this template's subject, addresses,
        recipients and language by substitution alone (field paths, see
        ``_render_template_inline_template_regex``): then
        ``_ecrm_render_inline`` gives the same texts for a whole batch."""
        return not self.use_default_to and not any(
            self._has_unsafe_expression_template_inline_template(
                self[fname], self.render_model
            )
            for fname in INLINE_FIELDS
        )

    def _ecrm_render_inline(self, records, text, columns):
        """``text`` (an inline template of field paths only) rendered for
        ``records`` as ``_render_template_inline_template_regex`` renders it,
        in their order; each path's values are read for all the records at
        once and kept in ``columns`` ({path: values}) for the next texts."""
        parts = parse_inline_template(str(text))
        values = []
        for _string, expression, _default in parts:
            if expression and expression not in columns:
                if not self.env["ir.qweb"]._is_expression_allowed(
                    expression, self.model
                ):
                    raise SyntaxError(
                        f"Invalid expression for the regex mode {expression!r}"
                    )
                columns[expression] = _ecrm_path_column(
                    records, expression.split(".")[1:]
                )
            values.append(columns.get(expression))
        return [
            "".join(
                string + str(column[index] or default) if expression else string
                for (string, expression, default), column in zip(
                    parts, values, strict=True
                )
            )
            for index in range(len(records))
        ]

    def _ecrm_generate_template(self, records, columns):
        """``_generate_template(records.ids, RENDERED_FIELDS)``: the first
        record's values by Odoo, the others' by substitution when Odoo
        renders the template's fields by substitution too (and checked
        against the first's)."""
        res_ids = records.ids
        if not self._ecrm_inline_renderable():
            return self._generate_template(res_ids, RENDERED_FIELDS)
        first = self._generate_template(res_ids[:1], RENDERED_FIELDS)[res_ids[0]]
        texts = {
            fname: self._ecrm_render_inline(records, self[fname] or "", columns)
            for fname in INLINE_FIELDS
            if fname != "lang" and fname in RENDERED_FIELDS
        }
        partner_tos = texts.pop("partner_to")
        partner_ids = [
            [int(text)]
            if text.isascii() and text.isdigit()
            else self._parse_partner_to(text)
            for text in partner_tos
        ]
        existing = set(
            self.env["res.partner"]
            .sudo()
            .browse({pid for pids in partner_ids for pid in pids})
            .exists()
            .ids
        )
        static = {
            key: value
            for key, value in first.items()
            if key not in texts and key not in ("partner_ids", "res_id")
        }
        result = {}
        for index, res_id in enumerate(res_ids):
            values = {
                **static,
                **{fname: rendered[index] for fname, rendered in texts.items()},
                "res_id": res_id,
            }
            if partner_tos[index]:
                values["partner_ids"] = list(set(partner_ids[index]) & existing)
            result[res_id] = values
        if result[res_ids[0]] != first:
            _logger.warning(
                "Mail template %s: the rendering of its fields by substitution "
                "differs from Odoo's, rendering them by Odoo",
                self.id,
            )
            return self._generate_template(res_ids, RENDERED_FIELDS)
        return result

    def _ecrm_send_mail_odoo(self, res_ids):
        mails = self.send_mail_batch(res_ids, email_layout_xmlid=ECRM_MAIL_LAYOUT)
        return {mail.res_id: mail.id for mail in mails}

    def _ecrm_send_group(self, res_ids, lang, company, base_url):
        """The mails of records that share a language, company and base URL."""
        # the group's language is known: not rendered again for each record
        # (as Odoo's template preview passes it)
        template = (
            self.with_context(lang=lang, template_preview_lang=lang) if lang else self
        )
        records = template.env[self.model].browse(res_ids)
        columns = {}
        values = template._ecrm_generate_template(records, columns)
        if any(
            values[res_id].get("attachments") or values[res_id].get("attachment_ids")
            for res_id in res_ids
        ):
            # attachments of the model (_process_attachments_for_template_post)
            return self._ecrm_send_mail_odoo(res_ids)
        token = secrets.token_hex(8)
        body, paths = template._ecrm_body_skeleton(token, base_url)
        layout = self._ecrm_layout_skeleton(token, body, lang, company)
        Message = self.env["mail.message"]
        to_column = Message._fields["body"].convert_to_column
        slot = re.compile(rf"ecrm{token}x(\d+|p|n[/-])x")
        # the preview's text: tags removed and entities unescaped once, the
        # values' text put in as it is (what unescaping them gives back)
        text_parts, layout_parts, stored_parts, message_parts = (
            slot.split(str(skeleton))
            for skeleton in (
                html_to_inner_content(body),
                layout,
                to_column(layout, Message),
                to_column(body, Message),
            )
        )
        # each path's values for all the records at once (Odoo's renderer
        # reads them record by record, with the same result)
        path_columns = [
            [value or default or "" for value in _ecrm_path_column(records, path)]
            for path, default in paths
        ]
        names = _ecrm_path_column(records, ["display_name"])
        body_keys = [str(index) for index in range(len(paths))]
        keys = [*body_keys, "p", "n/", "n-"]
        by_odoo = []

        def mail_values():
            """The mails' values, a mail at a time (pure Python: consumed
            while the database inserts the previous ones); the records whose
            values Odoo must render go to ``by_odoo``."""
            for index, res_id in enumerate(res_ids):
                texts = [column[index] for column in path_columns]
                name = names[index]
                if any(_ecrm_unusual(text) for text in (*texts, name)):
                    by_odoo.append(res_id)
                    continue
                texts = [str(text) for text in texts]
                preview = _ecrm_shorten(
                    _ecrm_fill(text_parts, dict(zip(body_keys, texts, strict=True)))
                )
                # the stored message body is sanitized: its text is escaped as
                # lxml serialises it (quotes as they are)
                texts += [preview, name, name.replace("/", "-")]
                yield {
                    **values[res_id],
                    "record_name": name,
                    "html_slots": dict(
                        zip(keys, (str(escape(text)) for text in texts), strict=True)
                    ),
                    "text_slots": dict(zip(keys, map(_ecrm_text, texts), strict=True)),
                }

        mails = mail_values()
        model_values = next(mails, None)
        if model_values is None:
            return self._ecrm_send_mail_odoo(by_odoo)
        # the first mail by Odoo itself: the model of the others' rows and
        # the proof that the substitution gives Odoo's mail
        result = self._ecrm_send_mail_odoo([model_values["res_id"]])
        model_mail = self.env["mail.mail"].browse(result[model_values["res_id"]])
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "SELECT mm.body_html, msg.body FROM mail_mail mm"
                " JOIN mail_message msg ON msg.id = mm.mail_message_id"
                " WHERE mm.id = %s",
                model_mail.id,
            )
        )
        first = (
            _ecrm_fill(layout_parts, model_values["html_slots"]),
            _ecrm_fill(stored_parts, model_values["text_slots"]),
        )
        if self.env.cr.fetchone() == first:
            # the message keeps the body without the layout, as Odoo's mass
            # mail composer stores it (mail.compose.message in mass_mail
            # mode: body_html only is wrapped): not a second copy of the
            # layout per mail
            self.env.cr.execute(
                SQL(
                    "UPDATE mail_message SET body = %s WHERE id = %s",
                    _ecrm_fill(message_parts, model_values["text_slots"]),
                    model_mail.mail_message_id.id,
                )
            )
            model_mail.mail_message_id.invalidate_recordset(["body"])
            result.update(
                self._ecrm_insert_mails(
                    model_mail,
                    mails,
                    len(res_ids) - 1,
                    layout_parts,
                    message_parts,
                    base_url,
                )
            )
        else:
            _logger.warning(
                "Mail template %s: the bulk rendering differs from Odoo's, "
                "rendering the mails one by one",
                self.id,
            )
            # (consuming the mails adds the unusual ones to by_odoo)
            rest = [mail["res_id"] for mail in mails]
            by_odoo += rest
        if by_odoo:
            result.update(self._ecrm_send_mail_odoo(by_odoo))
        return result

    def _ecrm_body_skeleton(self, token, base_url):
        """The body as ``_render_field("body_html")`` renders it, each field
        path replaced by a placeholder; and the [(path, default)] of the
        placeholders."""
        paths = []
        is_allowed = self.env["ir.qweb"]._is_expression_allowed

        def replace(match):
            tag, expr, default = match.group(1), match.group(3), match.group(9)
            if not is_allowed(expr, self.model):
                raise SyntaxError(f"Invalid expression for the regex mode {expr!r}")
            paths.append((expr.split(".")[1:], default))
            mark = f"ecrm{token}x{len(paths) - 1}x"
            return mark if tag.lower() == "t" else f"<{tag}>{mark}</{tag}>"

        source = html_normalize(f"<div>{self.body_html}</div>")
        body = Markup(T_OUT_REGEX.sub(replace, source))
        return self._replace_local_links(body, base_url), paths

    def _ecrm_layout_skeleton(self, token, body, lang, company):
        """The notification layout around ``body`` as send_mail_batch renders
        it, with placeholders for the preview and the record name (the
        name's one contains a "/": the layout may replace it)."""
        message = (
            self.env["mail.message"]
            .sudo()
            .new(
                {
                    "body": body,
                    "record_name": f"ecrm{token}xn/x",
                    "preview": f"ecrm{token}xpx",
                }
            )
        )
        model = self.env["ir.model"]._get(self.model)
        model_lang = model.with_context(lang=lang) if lang else model
        html = model_lang.env["ir.qweb"]._render(
            ECRM_MAIL_LAYOUT,
            {
                "message": message,
                "subtype": self.env["mail.message.subtype"].sudo(),
                "model_description": model_lang.display_name,
                "record": self.env[self.model],
                "record_name": False,
                "subtitles": False,
                "company": company,
                "email_add_signature": False,
                "signature": "",
                "website_url": "",
                "is_html_empty": is_html_empty,
            },
            minimal_qcontext=True,
        )
        return self.env["mail.render.mixin"]._replace_local_links(html)

    def _ecrm_insert_mails(
        self, model_mail, mails, count, layout_parts, message_parts, base_url
    ):
        """Insert ``mails`` (an iterable of at most ``count`` values as
        send_mail_batch creates them) as copies of ``model_mail``'s message
        and mail rows, with their own values; ``{res_id: mail_id}``. The
        bodies (the mail's in its layout, the message's without) are put
        together by the database from the skeletons' parts and each mail's
        slots: a few hundred bytes a mail to send, not whole layouts. The
        rows' ids are taken from their sequences first: a chunk's inserts
        return nothing the next chunk needs, and the database inserts a chunk
        while the next one is prepared (``statement_pipeline``)."""
        Message, Mail = self.env["mail.message"], self.env["mail.mail"]
        cr = self.env.cr
        message_type = model_mail.message_type
        model_ids = (model_mail.mail_message_id.id, model_mail.id)
        author_email = self.env["mail.thread"]._message_compute_author(
            None, email_from=None, raise_on_email=False
        )[1]
        # the recipient's own unsubscribe headers, as send_mail_batch gives
        # them (the others are the first mail's)
        unsubscribe = self.env.context.get("ecrm_unsubscribe")
        if unsubscribe:
            sign = self.env["ecrm.consent"]._ecrm_unsubscribe_signer(base_url)
            model_headers = _ecrm_headers_dict(model_mail.headers)
            for key in sign(0)[1]:
                model_headers.pop(key, None)
        new_message_ids = iter(new_ids(cr, Message._table, count))
        new_mail_ids = iter(new_ids(cr, Mail._table, count))
        result = {}
        # nothing but Python in the loop: the database is the pipeline's
        with _ecrm_fast_compression(cr), statement_pipeline(cr) as submit:
            while chunk := list(islice(mails, MAIL_CHUNK)):
                message_ids = list(islice(new_message_ids, len(chunk)))
                mail_ids = list(islice(new_mail_ids, len(chunk)))
                own = {
                    "id": message_ids,
                    "res_id": [mail["res_id"] for mail in chunk],
                    "record_name": [mail["record_name"] for mail in chunk],
                    "message_id": [
                        Message._get_message_id(
                            {
                                "res_id": mail["res_id"],
                                "model": self.model,
                                "message_type": message_type,
                            }
                        )
                        for mail in chunk
                    ],
                    "subject": [_ecrm_column(mail.get("subject")) for mail in chunk],
                    # a void email_from is the author's, as mail.message
                    # computes it
                    "email_from": [
                        _ecrm_column(mail.get("email_from")) or author_email
                        for mail in chunk
                    ],
                    "reply_to": [_ecrm_column(mail.get("reply_to")) for mail in chunk],
                }
                submit(
                    _ecrm_copy_rows_sql(
                        Message,
                        model_ids[0],
                        own,
                        {"body": _ecrm_slots(message_parts, chunk, "text_slots")},
                    )
                )
                mail_own = {
                    "id": mail_ids,
                    "mail_message_id": message_ids,
                    "email_to": [_ecrm_column(mail.get("email_to")) for mail in chunk],
                    "email_cc": [_ecrm_column(mail.get("email_cc")) for mail in chunk],
                }
                if unsubscribe:
                    mail_own["headers"] = [
                        _ecrm_headers(
                            model_headers,
                            sign(min(mail["partner_ids"]))[1]
                            if mail.get("partner_ids")
                            else {},
                        )
                        for mail in chunk
                    ]
                submit(
                    _ecrm_copy_rows_sql(
                        Mail,
                        model_ids[1],
                        mail_own,
                        {"body_html": _ecrm_slots(layout_parts, chunk, "html_slots")},
                    )
                )
                recipients = [
                    (message_id, mail_id, partner_id)
                    for mail, message_id, mail_id in zip(
                        chunk, message_ids, mail_ids, strict=True
                    )
                    for partner_id in mail.get("partner_ids") or ()
                ]
                for index, (model, fname) in enumerate(
                    ((Message, "partner_ids"), (Mail, "recipient_ids"))
                ):
                    if not recipients:
                        break
                    rel = model._fields[fname]
                    submit(
                        SQL(
                            "INSERT INTO %s (%s, %s)"
                            " SELECT * FROM unnest(%s::int[], %s::int[])",
                            SQL.identifier(rel.relation),
                            SQL.identifier(rel.column1),
                            SQL.identifier(rel.column2),
                            array_literal(row[index] for row in recipients),
                            array_literal(row[2] for row in recipients),
                        )
                    )
                result.update(zip(own["res_id"], mail_ids, strict=True))
        Message.invalidate_model()
        Mail.invalidate_model()
        return result


def _ecrm_headers_dict(text):
    """A mail's ``headers`` as Odoo reads them (a dict's repr)."""
    return ast.literal_eval(text) if text else {}


def _ecrm_headers(headers, added):
    """A mail's ``headers`` column: ``headers`` with ``added``."""
    merged = {**headers, **added}
    return repr(merged) if merged else None


def _ecrm_path_column(records, path):
    """``[reduce(lambda rec, fname: rec[fname], path, record) for record in
    records]`` (what Odoo's substitution of a field path reads; None where it
    raises KeyError), read a field at a time for all the records: not one
    field access per record and field. Relational values but many2one on
    the way are read record by record."""
    try:
        column = _ecrm_path_column_by_field(records, path)
    except KeyError:  # no such field: the path's default, as for Odoo
        column = None
    if column is None:
        column = [_ecrm_path_value(record, path) for record in records]
    return column


def _ecrm_path_column_by_field(records, path):
    """``_ecrm_path_column`` a field at a time, or None when a field on the
    way is not a many2one."""
    ids = list(records._ids)
    model = records.browse()
    for index, fname in enumerate(path):
        field = model._fields[fname]
        known = [id_ for id_ in ids if id_]
        # by chunks prefetched on their own: a value missing from the
        # cache makes the ORM walk the whole prefetch set
        chunks = [
            model.browse(known[start : start + PREFETCH_MAX])
            for start in range(0, len(known), PREFETCH_MAX)
        ]
        if field.store:
            # that column only: the ORM would read all of a record's
            # columns (a customer has dozens) to give one
            for chunk in chunks:
                chunk.fetch([fname])
        if index == len(path) - 1 and not field.relational:
            values = iter([v for chunk in chunks for v in field.mapped(chunk)])
            null = model[fname]
            return [next(values) if id_ else null for id_ in ids]
        if field.type != "many2one":
            return None
        raw = []
        for chunk in chunks:
            field.mapped(chunk)
            raw += chunk.env.cache.get_until_miss(chunk, field)
        if len(raw) != len(known):
            return None
        values = iter(raw)
        ids = [next(values) if id_ else None for id_ in ids]
        model = model[fname]
    return [model.browse(id_) for id_ in ids]


def _ecrm_path_value(record, path):
    try:
        return reduce(lambda rec, fname: rec[fname], path, record)
    except KeyError:
        return None


@contextmanager
def _ecrm_fast_compression(cr):
    """Values stored out of line (the mails' bodies in their layout: about
    4 kB each) compressed with lz4 rather than PostgreSQL's default pglz
    (three times faster to compress, read back the same), where the server
    has it; the previous setting is restored. Fetch the results inside."""
    cr.execute(
        SQL(
            "SELECT current_setting('default_toast_compression')"
            " FROM pg_settings WHERE name = 'default_toast_compression'"
            " AND 'lz4' = ANY(enumvals)"
        )
    )
    row = cr.fetchone()
    if not row:
        yield
        return
    cr.execute(SQL("SELECT set_config('default_toast_compression', 'lz4', TRUE)"))
    # not restored after an error: the transaction (or savepoint) is rolled
    # back, and the setting with it
    yield
    cr.execute(SQL("SELECT set_config('default_toast_compression', %s, TRUE)", row[0]))


def _ecrm_fill(parts, slots):
    """``parts`` of a skeleton split on its placeholders (odd items are
    placeholder names), filled with ``slots``."""
    return "".join(
        slots[part] if index % 2 else part for index, part in enumerate(parts)
    )


def _ecrm_shorten(text, width=190, placeholder=" [...]"):
    """``textwrap.shorten(text, width)`` (mail.message's preview), wrapping
    only the words that may be in it: whitespace collapsed, the text is cut at
    the first space past ``width``, which leaves the result unchanged. Without
    a hyphen (textwrap's only other break) nor a word longer than the line,
    the result is the longest run of whole words that leaves room for the
    placeholder (a hyphen breaks a word when a letter or a hyphen follows,
    as in "well-known" or "a--b", not in "SYN-001")."""
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    cut = text.find(" ", width + 1)
    text = text if cut < 0 else text[:cut]
    end = text.rfind(" ", 0, width - len(placeholder) + 1)
    if end > 0 and not HYPHEN_BREAK.search(text):
        return text[:end] + placeholder
    return textwrap.shorten(text, width, placeholder=placeholder)


def _ecrm_unusual(value):
    """Whether Odoo's rendering of ``value`` may be more than escaping its
    text: HTML (an Html field) or whitespace other than spaces and control
    characters (the sanitizer may rewrite them)."""
    return hasattr(value, "__html__") or (
        isinstance(value, str) and UNUSUAL_CHARACTERS.search(value)
    )


def _ecrm_text(text):
    """``text`` escaped as the HTML sanitizer writes a text node."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _ecrm_column(value):
    """A rendered value as the ORM stores it in a text column."""
    return None if value is None or value is False else str(value)


def _ecrm_slots(parts, mails, slots):
    """(``parts``, {slot name: the mails' values}) of a body put together
    by ``_ecrm_copy_rows_sql``."""
    return parts, {name: [mail[slots][name] for mail in mails] for name in parts[1::2]}


def _ecrm_copy_rows_sql(model, row_id, own, composed):
    """``INSERT INTO model's table`` one row per item of the lists of
    ``own`` ({column: values}, the ids included), the other columns copied
    from row ``row_id``. The text columns of ``composed``
    ({column: (parts, {slot: values})}, see ``_ecrm_fill``) are the
    concatenation of their parts, each slot filled with the row's value."""
    fields = model._fields
    copied = [
        name
        for name, field in fields.items()
        if field.store
        and field.column_type
        and not field.inherited
        and name != "id"
        and name not in own
        and name not in composed
    ]
    arrays = {
        name: (values, fields[name].column_type[1]) for name, values in own.items()
    }
    concatenations = []
    for column_index, (parts, slots) in enumerate(composed.values()):
        names = {
            slot: f"ecrm_{column_index}_{number}" for number, slot in enumerate(slots)
        }
        arrays.update((names[slot], (values, "text")) for slot, values in slots.items())
        concatenations.append(
            SQL(" || ").join(
                SQL("v.%s", SQL.identifier(names[part])) if odd else SQL("%s", part)
                for odd, part in ((index % 2, part) for index, part in enumerate(parts))
                if odd or part
            )
        )
    columns = [*own, *composed, *copied]
    return SQL(
        "INSERT INTO %(table)s (%(columns)s)"
        " SELECT %(own)s, %(copied)s"
        " FROM unnest(%(arrays)s) AS v(%(names)s), %(table)s t"
        " WHERE t.id = %(row)s",
        table=SQL.identifier(model._table),
        columns=SQL(", ").join(SQL.identifier(name) for name in columns),
        own=SQL(", ").join(
            [SQL("v.%s", SQL.identifier(name)) for name in own] + concatenations
        ),
        copied=SQL(", ").join(SQL("t.%s", SQL.identifier(name)) for name in copied),
        arrays=SQL(", ").join(
            SQL(f"%s::{column_type}[]", array_literal(values))
            for values, column_type in arrays.values()
        ),
        names=SQL(", ").join(SQL.identifier(name) for name in arrays),
        row=row_id,
    )
