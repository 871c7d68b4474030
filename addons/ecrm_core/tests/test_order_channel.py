# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import Command
from odoo.tests import TransactionCase, new_test_user, tagged

from ..hooks import fill_order_channels


@tagged("post_install", "-at_install")
class TestOrderChannel(TransactionCase):
    """Orders get their channel when created; those that existed before
    ecrm_core get theirs at install (and by the 18.0.1.2.0 migration)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls.env["res.partner"].create({"name": "Channel Customer"})
        cls.portal_user = new_test_user(
            cls.env, login="ecrm_channel_portal", groups="base.group_portal"
        )
        product = cls.env["product.product"].create({"name": "Channel product"})

        def values(**extra):
            return {
                "partner_id": cls.customer.id,
                "order_line": [Command.create({"product_id": product.id})],
                **extra,
            }

        cls.backend = cls.env["sale.order"].create(values())
        cls.portal = (
            cls.env["sale.order"].with_user(cls.portal_user).sudo().create(values())
        )
        website = cls.env["website"].search([], limit=1)
        cls.website = cls.env["sale.order"].create(values(website_id=website.id))

    def test_channel_when_created(self):
        self.assertEqual(self.backend.ecrm_channel, "backend")
        self.assertEqual(self.portal.ecrm_channel, "portal")
        self.assertEqual(self.website.ecrm_channel, "website")

    def test_existing_orders_get_their_channel(self):
        orders = self.backend | self.portal | self.website
        self.env.cr.execute(
            "UPDATE sale_order SET ecrm_channel = NULL WHERE id IN %s",
            [tuple(orders.ids)],
        )
        fill_order_channels(self.env.cr)
        orders.invalidate_recordset(["ecrm_channel"])
        self.assertEqual(
            orders.mapped("ecrm_channel"), ["backend", "portal", "website"]
        )
