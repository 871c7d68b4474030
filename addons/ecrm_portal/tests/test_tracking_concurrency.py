# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import datetime

from psycopg2.errors import SerializationFailure

from odoo import SUPERUSER_ID, api
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

QUIET = {"tracking_disable": True, "mail_create_nolog": True}


@tagged("post_install", "-at_install")
class TestTrackingConcurrency(TransactionCase):
    """Two carrier events of one delivery applied at the same time, in two
    cursors (committed data, cleaned up afterwards): the later one is a
    serialization failure, which Odoo retries (``odoo.service.model.retrying``),
    never a unique-key error nor a step moved back."""

    def setUp(self):
        super().setUp()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, QUIET)
            order = env["sale.order"].create(
                {"partner_id": env.ref("base.partner_admin").id}
            )
            out = env["stock.warehouse"].search([], limit=1).out_type_id
            picking = env["stock.picking"].create(
                {
                    "picking_type_id": out.id,
                    "location_id": out.default_location_src_id.id,
                    "location_dest_id": env.ref("stock.stock_location_customers").id,
                }
            )
            env.flush_all()
            cr.execute(
                "UPDATE stock_picking SET sale_id = %s, ecrm_tracking_state = 'shipped'"
                " WHERE id = %s",
                [order.id, picking.id],
            )
            cr.execute(
                "UPDATE sale_order SET state = 'sale', ecrm_tracking_state = 'shipped'"
                " WHERE id = %s",
                [order.id],
            )
            self.ids = {"order": order.id, "picking": picking.id}
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        with self.registry.cursor() as cr:
            for query in (
                "DELETE FROM ecrm_tracking_event WHERE picking_id = %(picking)s",
                "DELETE FROM ir_cron_trigger WHERE cron_id = %(cron)s",
                "DELETE FROM stock_picking WHERE id = %(picking)s",
                "DELETE FROM sale_order WHERE id = %(order)s",
            ):
                cron = self.env.ref("ecrm_portal.ir_cron_ecrm_tracking_mail").id
                cr.execute(query, dict(self.ids, cron=cron))

    def _picking(self, cr):
        return api.Environment(cr, SUPERUSER_ID, {})["stock.picking"].browse(
            self.ids["picking"]
        )

    def _apply(self, cr, state, day):
        return self._picking(cr)._ecrm_apply_tracking(
            state, "carrier", datetime(2026, 11, day, 10)
        )

    def _events(self, cr):
        cr.execute(
            "SELECT state, applied FROM ecrm_tracking_event WHERE picking_id = %s"
            " ORDER BY state",
            [self.ids["picking"]],
        )
        return cr.fetchall()

    def _state(self, cr):
        cr.execute(
            "SELECT p.ecrm_tracking_state, o.ecrm_tracking_state FROM stock_picking p"
            " JOIN sale_order o ON o.id = p.sale_id WHERE p.id = %s",
            [self.ids["picking"]],
        )
        return cr.fetchone()

    @mute_logger("odoo.sql_db")
    def test_same_event_twice_at_once(self):
        self.assertIn(SerializationFailure, PG_CONCURRENCY_EXCEPTIONS_TO_RETRY)
        with self.registry.cursor() as cr1, self.registry.cursor() as cr2:
            self.assertEqual(self._picking(cr2).ecrm_tracking_state, "shipped")
            self.assertTrue(self._apply(cr1, "on_the_way", 20))
            cr1.commit()
            # the second request's snapshot is older than the first's event
            with self.assertRaises(SerializationFailure):
                self._apply(cr2, "on_the_way", 20)
            cr2.rollback()
            # Odoo's retry finds the event: nothing new
            self.assertFalse(self._apply(cr2, "on_the_way", 20))
            cr2.commit()
            self.assertEqual(self._events(cr2), [("on_the_way", True)])
            self.assertEqual(self._state(cr2), ("on_the_way", "on_the_way"))

    @mute_logger("odoo.sql_db")
    def test_older_step_at_once_does_not_move_back(self):
        with self.registry.cursor() as cr1, self.registry.cursor() as cr2:
            self.assertEqual(self._picking(cr2).ecrm_tracking_state, "shipped")
            self._apply(cr1, "delivered", 21)
            cr1.commit()
            # from its snapshot, on_the_way moves the delivery: it cannot (the
            # delivery's write fails when flushed, inside Odoo's retrying)
            with self.assertRaises(SerializationFailure):
                self._apply(cr2, "on_the_way", 20).env.flush_all()
            cr2.rollback()
            event = self._apply(cr2, "on_the_way", 20)
            self.assertFalse(event.applied)
            cr2.commit()
            self.assertEqual(
                self._events(cr2), [("delivered", True), ("on_the_way", False)]
            )
            self.assertEqual(self._state(cr2), ("delivered", "delivered"))
