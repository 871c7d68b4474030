# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.sql import create_index

# The steps of a delivery, in the order they happen; the rank of a state is its
# position (an order's state is the least advanced of its deliveries).
TRACKING_STATES = [
    ("processed", "Processed"),
    ("packed", "Packed"),
    ("shipped", "Shipped"),
    ("on_the_way", "On the way"),
    ("delivered", "Delivered"),
    ("returned", "Returned"),
    ("cancelled", "Cancelled"),
]
TRACKING_RANK = {state: rank for rank, (state, _label) in enumerate(TRACKING_STATES)}
# The steps of the customer's step bar: a delivery's journey when all goes well
# (a return or a cancellation ends it where it was).
JOURNEY = ("processed", "packed", "shipped", "on_the_way", "delivered")
TRACKING_SOURCES = [
    ("system", "System"),
    ("carrier", "Carrier"),
    ("customer", "Customer"),
    ("staff", "Staff"),
]


class EcrmTrackingEvent(models.Model):
    """One step of a delivery, recorded once: the date shown to the customer
    on the portal and a source of the 360° timeline."""

    _name = "ecrm.tracking.event"
    _description = "eCRM Tracking Event"
    _order = "date desc, id desc"
    _check_company_auto = True

    order_id = fields.Many2one(
        "sale.order", required=True, index=True, ondelete="cascade", check_company=True
    )
    picking_id = fields.Many2one(
        "stock.picking",
        string="Delivery",
        help="Empty while the goods are prepared before their delivery exists.",
        index=True,
        ondelete="cascade",
        check_company=True,
    )
    state = fields.Selection(TRACKING_STATES, required=True)
    date = fields.Datetime(required=True, default=fields.Datetime.now)
    source = fields.Selection(TRACKING_SOURCES, required=True, default="system")
    note = fields.Char()
    applied = fields.Boolean(
        help="Whether the event moved the delivery to its state (an event older "
        "than the delivery's current step is recorded without moving it back)."
    )
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True
    )
    company_id = fields.Many2one("res.company", required=True, index=True)
    mail_id = fields.Many2one("mail.mail", string="Notification", readonly=True)
    mail_pending = fields.Boolean(
        readonly=True,
        copy=False,
        help="The step's email (and, at delivered, the rating request) is still "
        "to be queued by the tracking emails cron.",
    )

    _sql_constraints = [
        (
            "event_unique",
            "UNIQUE(picking_id, state, source, date)",
            "This tracking event was already recorded.",
        ),
    ]

    def init(self):
        # the cron's queue: a few rows at any time among all the events
        create_index(
            self.env.cr,
            "ecrm_tracking_event_mail_pending_index",
            self._table,
            ["id"],
            where="mail_pending",
        )

    def _ecrm_steps(self, state):
        """The step bar of a delivery (or of an order) at ``state``, from its
        events ``self``: one dict per step of the journey with its ``state``,
        translated ``label``, ``status`` (``done``, ``current`` or ``todo``)
        and ``date`` (when it happened; None for a step to come or one that
        has no recorded event, as on a database where the addon came later).
        A returned or cancelled delivery shows the last step it reached as
        current (the template says why it stopped there)."""
        labels = dict(self._fields["state"]._description_selection(self.env))
        dates = {}
        for event in self.sorted(lambda e: (e.date, e.id)):
            if event.applied:
                dates.setdefault(event.state, event.date)
        if state in JOURNEY:
            reached = JOURNEY.index(state)
        else:  # returned, cancelled: up to the last step it recorded
            reached = max((JOURNEY.index(s) for s in dates if s in JOURNEY), default=-1)
        return [
            {
                "state": step,
                "label": labels[step],
                "status": (
                    "done"
                    if rank < reached
                    else "current"
                    if rank == reached
                    else "todo"
                ),
                "date": dates.get(step) if rank <= reached else None,
            }
            for rank, step in enumerate(JOURNEY)
        ]

    @api.model
    def _ecrm_template(self, state):
        return self.env.ref(
            f"ecrm_portal.mail_template_tracking_{state}", raise_if_not_found=False
        )

    @api.model
    def _ecrm_record(self, picking, state, source, date, note, applied):
        """The event ``state`` of the delivery ``picking``, recorded once: one
        ``INSERT ... ON CONFLICT DO NOTHING`` on the event's unique key, which
        returns an empty recordset when the same event is already there. The
        same event arriving twice at the same time does not fail on the key:
        under Odoo's repeatable-read transactions the later one is a
        serialization failure, which Odoo retries and which then finds it."""
        self.env["sale.order"].flush_model(["partner_id"])
        self.env["res.partner"].flush_model(["commercial_partner_id"])
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO ecrm_tracking_event
                       (order_id, picking_id, state, date, source, note, applied,
                        mail_pending, partner_id, company_id, create_uid,
                        create_date, write_uid, write_date)
                SELECT so.id, %(picking)s, %(state)s, %(date)s, %(source)s,
                       %(note)s, %(applied)s, %(applied)s, rp.commercial_partner_id,
                       %(company)s, %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s,
                       now() AT TIME ZONE 'UTC'
                  FROM sale_order so
                  JOIN res_partner rp ON rp.id = so.partner_id
                 WHERE so.id = %(order)s
                    ON CONFLICT DO NOTHING
             RETURNING id
                """,
                order=picking.sale_id.id,
                picking=picking.id,
                state=state,
                date=date,
                source=source,
                note=note or None,
                applied=applied,
                company=picking.company_id.id,
                uid=self.env.uid,
            )
        )
        row = self.env.cr.fetchone()
        picking.invalidate_recordset(["ecrm_tracking_event_ids"])
        picking.sale_id.invalidate_recordset(["ecrm_tracking_event_ids"])
        return self.browse(row[0] if row else ())

    @api.model
    def _ecrm_wake_mail_cron(self):
        """Called after creating events with ``mail_pending``: their emails are
        queued by the cron, soon, not in the request (a webhook or a click does
        not render emails: measured, 2/3 of a webhook request when it did)."""
        cron_id = self.env["ir.model.data"]._xmlid_to_res_id(
            "ecrm_portal.ir_cron_ecrm_tracking_mail", raise_if_not_found=True
        )
        # one wake-up per burst of events: Odoo's _trigger() also notifies the
        # cron workers on a new connection after the commit (measured: a fifth
        # of a webhook request); the cron's hourly run is the safety net
        self.env.cr.execute(
            SQL(
                """
                SELECT 1 FROM ir_cron_trigger
                 WHERE cron_id = %s AND call_at <= (now() AT TIME ZONE 'UTC')
                 LIMIT 1
                """,
                cron_id,
            )
        )
        if not self.env.cr.fetchone():
            self.env["ir.cron"].browse(cron_id)._trigger()

    @api.model
    def _ecrm_cron_send_mails(self, batch_size=200):
        """One batch of the events waiting for their email, claimed with
        ``FOR UPDATE SKIP LOCKED``: another worker running at the same time
        takes other events, never the same ones."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT id FROM ecrm_tracking_event
                 WHERE mail_pending
                 ORDER BY id
                 LIMIT %s
                   FOR UPDATE SKIP LOCKED
                """,
                batch_size,
            )
        )
        events = self.sudo().browse(row[0] for row in self.env.cr.fetchall())
        events._ecrm_send_mail()
        events.mail_pending = False
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT count(*) FROM ecrm_tracking_event WHERE mail_pending"
        )
        remaining = self.env.cr.fetchone()[0]
        self.env["ir.cron"]._notify_progress(done=len(events), remaining=remaining)

    def _ecrm_send_mail(self):
        """Queue the step's email to the customer, once per step of a delivery,
        when their level grants tracking and they accept emails; at
        ``delivered``, the rating request if the delivery has none yet
        (consent-checked: the carrier's events ask for it here)."""
        for event in self.sudo():
            order = event.order_id
            customer = order.partner_id.with_company(order.company_id)
            template = self._ecrm_template(event.state)
            already = self.sudo().search_count(
                [
                    ("order_id", "=", order.id),
                    ("picking_id", "=", event.picking_id.id),
                    ("state", "=", event.state),
                    ("mail_id", "!=", False),
                ],
                limit=1,
            )
            if (
                template
                and not already
                and customer._ecrm_has_service("order_tracking")
                and customer._ecrm_has_consent("email")
            ):
                event.mail_id = template.send_mail(event.id, force_send=False)
            if event.state == "delivered" and event.picking_id:
                event.picking_id._ecrm_request_delivery_rating()
