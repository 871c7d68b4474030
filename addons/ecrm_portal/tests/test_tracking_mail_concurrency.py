# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import SUPERUSER_ID, api
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestTrackingMailConcurrency(TransactionCase):
    """Two workers running the tracking emails cron at the same time: committed
    data in two cursors (cleaned up afterwards), as Odoo's cron tests do."""

    def setUp(self):
        super().setUp()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            partner = env["res.partner"].create(
                {"name": "Concurrent tracking", "email": "twice@portal.example"}
            )
            partner._ecrm_pin_level(
                env.ref("ecrm_core.ecrm_level_customer_centred").id, "test"
            )
            order = env["sale.order"].create({"partner_id": partner.id})
            event = env["ecrm.tracking.event"].create(
                {
                    "order_id": order.id,
                    "state": "processed",
                    "applied": True,
                    "mail_pending": True,
                    "partner_id": partner.id,
                    "company_id": order.company_id.id,
                }
            )
            self.ids = {"partner": partner.id, "order": order.id, "event": event.id}
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        with self.registry.cursor() as cr:
            for query, key in (
                ("DELETE FROM mail_message WHERE model = %s AND res_id = %s", "event"),
                ("DELETE FROM mail_message WHERE model = %s AND res_id = %s", "order"),
                ("DELETE FROM ecrm_tracking_event WHERE id = %s", "event"),
                ("DELETE FROM sale_order WHERE id = %s", "order"),
                # histories are append-only for the ORM
                ("DELETE FROM ecrm_level_history WHERE partner_id = %s", "partner"),
                ("DELETE FROM ecrm_profile WHERE partner_id = %s", "partner"),
                ("DELETE FROM res_partner WHERE id = %s", "partner"),
            ):
                models = {"event": ["ecrm.tracking.event"], "order": ["sale.order"]}
                params = (models[key] if "model" in query else []) + [self.ids[key]]
                cr.execute(query, params)

    def _run(self, cr):
        api.Environment(cr, SUPERUSER_ID, {})[
            "ecrm.tracking.event"
        ]._ecrm_cron_send_mails()

    def _mails(self, cr):
        cr.execute(
            "SELECT count(*) FROM mail_mail m"
            "  JOIN mail_message msg ON msg.id = m.mail_message_id"
            " WHERE msg.model = 'ecrm.tracking.event' AND msg.res_id = %s",
            [self.ids["event"]],
        )
        return cr.fetchone()[0]

    def test_two_workers_never_send_twice(self):
        with self.registry.cursor() as cr1, self.registry.cursor() as cr2:
            self._run(cr1)
            self.assertEqual(self._mails(cr1), 1)
            # the second worker skips the event the first one holds
            self._run(cr2)
            self.assertEqual(self._mails(cr2), 0)
            cr1.commit()
            cr2.rollback()
            # and later runs find nothing pending
            self._run(cr2)
            cr2.commit()
            self.assertEqual(self._mails(cr2), 1)
            cr2.execute(
                "SELECT mail_pending FROM ecrm_tracking_event WHERE id = %s",
                [self.ids["event"]],
            )
            self.assertEqual(cr2.fetchone(), (False,))
