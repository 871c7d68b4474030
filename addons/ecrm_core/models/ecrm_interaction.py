# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import functools

from odoo import api, fields, models
from odoo.osv import expression
from odoo.tools import SQL
from odoo.tools.sql import create_index

from .ecrm_interaction_log import CHANNELS, DIRECTIONS, INITIATIVES


class EcrmInteraction(models.Model):
    """The 360° timeline: every interaction with a customer on every channel.

    A SQL view over the records where the interactions happened (orders,
    deliveries, tickets and their messages, emails, ratings) and the manual
    logs, so no fact is stored twice. Each source is one SELECT of the columns
    listed in ``_ecrm_interaction_sources``; another addon adds a source by
    overriding that method, with a key of its own.
    """

    _name = "ecrm.interaction"
    _description = "eCRM Interaction"
    _auto = False
    _order = "date desc, id desc"
    _rec_name = "summary"
    # Source fields the ORM must flush before reading the view.
    _depends = {
        "sale.order": [
            "date_order",
            "partner_id",
            "company_id",
            "state",
            "name",
            "ecrm_channel",
        ],
        "stock.picking": [
            "date_done",
            "partner_id",
            "company_id",
            "state",
            "name",
            "picking_type_id",
        ],
        "helpdesk.ticket": [
            "create_date",
            "commercial_partner_id",
            "company_id",
            "channel_id",
            "number",
            "name",
        ],
        "helpdesk.ticket.channel": ["ecrm_channel"],
        "mail.message": [
            "date",
            "model",
            "res_id",
            "message_type",
            "subtype_id",
            "author_id",
            "subject",
            "body",
            "mail_activity_type_id",
            "record_company_id",
        ],
        "rating.rating": [
            "write_date",
            "partner_id",
            "res_model",
            "res_id",
            "consumed",
            "rating_text",
            "feedback",
            "message_id",
        ],
        "res.partner": ["commercial_partner_id", "company_id"],
        "ecrm.interaction.log": [
            "date",
            "partner_id",
            "company_id",
            "channel",
            "direction",
            "initiative",
            "summary",
        ],
    }

    date = fields.Datetime(readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    channel = fields.Selection(CHANNELS, readonly=True)
    direction = fields.Selection(DIRECTIONS, readonly=True)
    initiative = fields.Selection(INITIATIVES, readonly=True)
    kind = fields.Selection(
        [
            ("order", "Order"),
            ("delivery", "Delivery"),
            ("ticket", "Ticket"),
            ("ticket_message", "Ticket message"),
            ("email", "Email"),
            ("rating", "Rating"),
            ("log", "Logged interaction"),
            ("follow_up", "Proactive follow-up"),
        ],
        readonly=True,
    )
    summary = fields.Char(readonly=True)
    res_model = fields.Char(string="Source model", readonly=True)
    res_id = fields.Many2oneReference(
        string="Source record", model_field="res_model", readonly=True
    )
    # The record the row is about: the source record itself, or the document a
    # message or a rating is posted on. A user sees the row only if they may
    # read that record (see _search).
    doc_model = fields.Char(string="Document model", readonly=True)
    doc_id = fields.Many2oneReference(
        string="Document", model_field="doc_model", readonly=True
    )

    @api.model
    def _ecrm_interaction_sources(self):
        """``{key: SQL}``: each SQL selects, in this order, ``date, partner_id
        (commercial), company_id, channel, direction, initiative, kind, summary,
        res_model, res_id``. ``key`` (< 64, unique) makes the row ids unique."""
        message_text = SQL(
            "COALESCE(NULLIF(mm.subject, ''),"
            " left(regexp_replace(mm.body, '<[^>]*>', '', 'g'), 120))"
        )
        # Messages notified to followers get the record's name as subject:
        # on a record's discussion, the text says more.
        discussion_text = SQL(
            r"""
            COALESCE(NULLIF(btrim(left(regexp_replace(
                regexp_replace(mm.body, '<[^>]*>', ' ', 'g'),
                '\s+', ' ', 'g'), 120)), ''), mm.subject)
            """
        )
        return {
            1: SQL(
                """
                SELECT so.date_order, p.commercial_partner_id, so.company_id,
                       COALESCE(so.ecrm_channel, 'backend'), 'in', 'reactive',
                       'order', so.name, 'sale.order', so.id
                  FROM sale_order so
                  JOIN res_partner p ON p.id = so.partner_id
                 WHERE so.state = 'sale'
                """
            ),
            2: SQL(
                """
                SELECT sp.date_done, p.commercial_partner_id, sp.company_id,
                       'delivery', 'out', 'reactive', 'delivery', sp.name,
                       'stock.picking', sp.id
                  FROM stock_picking sp
                  JOIN stock_picking_type spt ON spt.id = sp.picking_type_id
                  JOIN res_partner p ON p.id = sp.partner_id
                 WHERE sp.state = 'done' AND spt.code = 'outgoing'
                """
            ),
            3: SQL(
                """
                SELECT ht.create_date, ht.commercial_partner_id, ht.company_id,
                       COALESCE(htc.ecrm_channel, 'other'), 'in', 'reactive',
                       'ticket', ht.number || ' - ' || ht.name, 'helpdesk.ticket',
                       ht.id
                  FROM helpdesk_ticket ht
                  LEFT JOIN helpdesk_ticket_channel htc ON htc.id = ht.channel_id
                 WHERE ht.commercial_partner_id IS NOT NULL
                """
            ),
            4: SQL(
                """
                SELECT mm.date, ht.commercial_partner_id, ht.company_id,
                       CASE WHEN mm.message_type = 'email' THEN 'email'
                            WHEN author.commercial_partner_id
                                 = ht.commercial_partner_id THEN 'portal'
                            ELSE 'email' END,
                       CASE WHEN author.commercial_partner_id
                                 = ht.commercial_partner_id THEN 'in'
                            ELSE 'out' END,
                       'reactive', 'ticket_message', %(text)s, 'mail.message',
                       mm.id
                  FROM mail_message mm
                  JOIN helpdesk_ticket ht
                    ON mm.model = 'helpdesk.ticket' AND ht.id = mm.res_id
                  JOIN mail_message_subtype mst ON mst.id = mm.subtype_id
                  LEFT JOIN res_partner author ON author.id = mm.author_id
                 WHERE mm.message_type IN ('email', 'comment')
                   AND mst.internal IS NOT TRUE
                   AND ht.commercial_partner_id IS NOT NULL
                """,
                text=discussion_text,
            ),
            5: SQL(
                """
                SELECT mm.date, p.commercial_partner_id,
                       COALESCE(mm.record_company_id, p.company_id), 'email',
                       CASE WHEN author.commercial_partner_id
                                 = p.commercial_partner_id THEN 'in'
                            ELSE 'out' END,
                       'reactive', 'email', %(text)s, 'mail.message', mm.id
                  FROM mail_message mm
                  JOIN res_partner p ON mm.model = 'res.partner' AND p.id = mm.res_id
                  LEFT JOIN res_partner author ON author.id = mm.author_id
                 WHERE mm.message_type IN ('email', 'email_outgoing')
                """,
                text=message_text,
            ),
            6: SQL(
                """
                SELECT rr.write_date, p.commercial_partner_id,
                       COALESCE(ht.company_id, rm.record_company_id),
                       'email', 'in', 'reactive', 'rating',
                       rr.rating_text || COALESCE(': ' || rr.feedback, ''),
                       'rating.rating', rr.id
                  FROM rating_rating rr
                  JOIN res_partner p ON p.id = rr.partner_id
                  LEFT JOIN helpdesk_ticket ht
                    ON rr.res_model = 'helpdesk.ticket' AND ht.id = rr.res_id
                  LEFT JOIN mail_message rm ON rm.id = rr.message_id
                 WHERE rr.consumed
                """
            ),
            8: SQL(
                """
                SELECT mm.date, p.commercial_partner_id,
                       COALESCE(mm.record_company_id, p.company_id), 'phone', 'out',
                       'proactive', 'follow_up', %(text)s, 'mail.message', mm.id
                  FROM mail_message mm
                  JOIN res_partner p ON mm.model = 'res.partner' AND p.id = mm.res_id
                  JOIN ir_model_data xmlid
                    ON xmlid.model = 'mail.activity.type'
                   AND xmlid.res_id = mm.mail_activity_type_id
                   AND xmlid.module = 'ecrm_core'
                   AND xmlid.name = 'mail_activity_type_proactive'
                """,
                text=message_text,
            ),
            7: SQL(
                """
                SELECT log.date, log.partner_id, log.company_id, log.channel,
                       log.direction, log.initiative, 'log', log.summary,
                       'ecrm.interaction.log', log.id
                  FROM ecrm_interaction_log log
                """
            ),
            # Emails and portal messages on orders: only discussions (sent to
            # the customer or written by them), not notes nor tracking.
            9: SQL(
                """
                SELECT mm.date, p.commercial_partner_id, so.company_id,
                       CASE WHEN mm.message_type = 'comment'
                             AND author.commercial_partner_id
                                 = p.commercial_partner_id THEN 'portal'
                            ELSE 'email' END,
                       CASE WHEN author.commercial_partner_id
                                 = p.commercial_partner_id THEN 'in'
                            ELSE 'out' END,
                       'reactive', 'email', %(text)s, 'mail.message', mm.id
                  FROM mail_message mm
                  JOIN sale_order so ON mm.model = 'sale.order' AND so.id = mm.res_id
                  JOIN res_partner p ON p.id = so.partner_id
                  JOIN ir_model_data xmlid
                    ON xmlid.model = 'mail.message.subtype'
                   AND xmlid.res_id = mm.subtype_id
                   AND xmlid.module = 'mail'
                   AND xmlid.name = 'mt_comment'
                  LEFT JOIN res_partner author ON author.id = mm.author_id
                 WHERE mm.message_type IN ('email', 'comment', 'notification')
                """,
                text=discussion_text,
            ),
        }

    def init(self):
        cr = self.env.cr
        # What the per-customer timeline query filters and joins on.
        create_index(
            cr,
            "helpdesk_ticket_commercial_partner_id_index",
            "helpdesk_ticket",
            ["commercial_partner_id"],
        )
        create_index(
            cr, "rating_rating_partner_id_index", "rating_rating", ["partner_id"]
        )
        sources = SQL(" UNION ALL ").join(
            SQL(
                """
                SELECT src.res_id::bigint * 64 + %s AS id, src.*,
                       COALESCE(doc_mm.model, doc_rr.res_model, src.res_model)
                           AS doc_model,
                       COALESCE(doc_mm.res_id, doc_rr.res_id, src.res_id)
                           AS doc_id
                  FROM (%s) AS src(date, partner_id, company_id, channel,
                                   direction, initiative, kind, summary,
                                   res_model, res_id)
                  LEFT JOIN mail_message doc_mm
                    ON src.res_model = 'mail.message' AND doc_mm.id = src.res_id
                  LEFT JOIN rating_rating doc_rr
                    ON src.res_model = 'rating.rating' AND doc_rr.id = src.res_id
                """,
                key,
                query,
            )
            for key, query in sorted(self._ecrm_interaction_sources().items())
        )
        cr.execute(SQL("DROP VIEW IF EXISTS %s", SQL.identifier(self._table)))
        cr.execute(SQL("CREATE VIEW %s AS (%s)", SQL.identifier(self._table), sources))

    # Each row is shown only to who may read its document, with that model's
    # own access rights and record rules (a salesman limited to his own orders
    # sees only his orders, a user without helpdesk rights no ticket): the
    # timeline never shows more than its sources. Documents are records of the
    # models in _depends, where a source declares the tables it reads.
    @api.model
    def _ecrm_readable_domain(self):
        domain = expression.FALSE_DOMAIN
        for model_name in sorted(
            set(self._depends) - {"mail.message", "rating.rating"}
        ):
            if model_name not in self.env:
                continue
            Model = self.env[model_name].with_context(active_test=False)
            if not Model.has_access("read"):
                continue
            readable = Model._search([])
            condition = [("doc_model", "=", model_name)]
            if readable.where_clause:
                condition.append(("doc_id", "in", readable))
            domain = expression.OR([domain, condition])
        return domain

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None, **kwargs):
        if not self.env.su:
            domain = expression.AND([domain or [], self._ecrm_readable_domain()])
        return super()._search(domain, offset, limit, order, **kwargs)

    def _check_access(self, operation):
        result = super()._check_access(operation)
        if result or self.env.su or not self._ids:
            return result
        readable = self.browse(self._search([("id", "in", self._ids)]))
        if forbidden := self - readable:
            return forbidden, functools.partial(
                self.env["ir.rule"]._make_access_error, operation, forbidden
            )
        return None

    def action_open_source(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self.doc_model,
            "res_id": self.doc_id,
            "views": [(False, "form")],
        }
