# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import tagged

from .common import EcrmCase


@tagged("post_install", "-at_install")
class TestConsent(EcrmCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls._customer(
            "Consenting Ltd", is_company=True, email="buyer@consenting.example"
        )
        cls.contact = cls._customer(
            "Buyer", parent_id=cls.customer.id, email="contact@consenting.example"
        )

    def test_default_is_opt_out_model(self):
        self.assertTrue(self.customer._ecrm_has_consent("email"))
        self.assertTrue(self.customer._ecrm_has_consent("sms"))

    def test_opt_out_of_one_channel(self):
        self.customer._ecrm_set_consent("email", "opt_out", "portal")
        self.assertFalse(self.customer._ecrm_has_consent("email"))
        self.assertFalse(self.contact._ecrm_has_consent("email"))
        self.assertTrue(self.customer._ecrm_has_consent("phone"))
        consent = self.customer.ecrm_consent_ids
        self.assertEqual((consent.state, consent.source), ("opt_out", "portal"))

    def test_explicit_consent_required(self):
        self.company.ecrm_consent_required = True
        self.assertFalse(self.customer._ecrm_has_consent("email"))
        self.contact._ecrm_set_consent("email", "opt_in", "backend")
        self.assertEqual(self.customer.ecrm_consent_ids.partner_id, self.customer)
        self.assertTrue(self.customer._ecrm_has_consent("email"))

    def test_blacklisted_or_missing_email(self):
        self.env["mail.blacklist"].sudo()._add("buyer@consenting.example")
        self.assertFalse(self.customer._ecrm_has_consent("email"))
        self.assertTrue(self.contact._ecrm_has_consent("email"))
        no_email = self._customer("No email")
        self.assertFalse(no_email._ecrm_has_consent("email"))

    def test_consent_is_per_company(self):
        self.customer._ecrm_set_consent("email", "opt_out", "backend")
        other = self.env["res.company"].create({"name": "Other consent Co"})
        self.env.user.company_ids |= other
        self.assertTrue(self.customer.with_company(other)._ecrm_has_consent("email"))

    def test_set_based_filter_matches_single_checks(self):
        partners = (
            self.customer | self.contact | self._customer("Plain", email="p@x.example")
        )
        self.contact._ecrm_set_consent("sms", "opt_out", "backend")
        for channel in ("email", "sms"):
            allowed = partners._ecrm_filter_consent(channel)
            self.assertEqual(
                allowed, partners.filtered(lambda p, c=channel: p._ecrm_has_consent(c))
            )
        self.assertNotIn(self.contact, partners._ecrm_filter_consent("sms"))

    def test_one_query_for_many_partners(self):
        partners = self.env["res.partner"].create(
            [{"name": f"Bulk {n}", "email": f"bulk{n}@x.example"} for n in range(30)]
        )
        self.env.flush_all()
        with self.assertQueryCount(1):
            self.assertEqual(partners._ecrm_filter_consent("email"), partners)

    def test_blacklisted_phone(self):
        self.customer.write(
            {"phone": "+32470123456", "country_id": self.env.ref("base.be").id}
        )
        self.assertTrue(self.customer._ecrm_has_consent("sms"))
        self.env["phone.blacklist"].sudo().add("+32470123456")
        for channel in ("sms", "phone"):
            self.assertFalse(self.customer._ecrm_has_consent(channel))
        self.assertTrue(self.customer._ecrm_has_consent("email"))
        # the contact's own number is not blacklisted
        self.contact.phone = "+32470654321"
        self.assertTrue(self.contact._ecrm_has_consent("sms"))
