# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestEcrmService(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env["res.partner"].create(
            {"name": "Service Co", "is_company": True}
        )
        cls.contact = cls.env["res.partner"].create(
            {"name": "Service Contact", "parent_id": cls.company.id}
        )
        cls.foundational = cls.env.ref("ecrm_core.ecrm_level_foundational")
        cls.customer_centred = cls.env.ref("ecrm_core.ecrm_level_customer_centred")

    def _set_level(self, level):
        # as users do: a pinned level, stored on the profile
        self.company._ecrm_pin_level(level.id, "Service test")
        self.env.invalidate_all()

    def test_service_granted_by_level(self):
        self._set_level(self.customer_centred)
        self.assertTrue(self.company._ecrm_has_service("order_tracking"))
        self._set_level(self.foundational)
        self.assertFalse(self.company._ecrm_has_service("order_tracking"))
        self.assertTrue(self.company._ecrm_has_service("order_fulfilment"))

    def test_contact_shares_commercial_partner_level(self):
        self._set_level(self.customer_centred)
        self.assertTrue(self.contact._ecrm_has_service("order_tracking"))

    def test_no_level_grants_nothing(self):
        self.assertFalse(self.company._ecrm_has_service("order_fulfilment"))

    def test_archived_service_not_granted(self):
        self._set_level(self.customer_centred)
        self.env.ref("ecrm_core.ecrm_service_order_tracking").active = False
        self.assertFalse(self.company._ecrm_has_service("order_tracking"))

    def test_level_is_per_company(self):
        other = self.env["res.company"].create({"name": "Other eCRM Co"})
        self._set_level(self.customer_centred)
        partner_other = self.company.with_company(other)
        self.assertFalse(partner_other.ecrm_level_id)
        self.assertFalse(partner_other._ecrm_has_service("order_tracking"))
