# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import date

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user

from .common import EcrmCase


class TestForget(EcrmCase):
    """OCA's "Anonymize (GDPR)" wizard also erases the core's data of the
    customer; orders stay on the anonymised partner."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.officer = cls.env.ref("base.user_admin")
        cls.officer.company_ids |= cls.company
        cls.customer = cls._customer("Zelda Quarrington", email="zelda@forget.example")
        cls.other = cls._customer("Otto Keeper", email="otto@keep.example")
        cls.order = cls._order(cls.customer, 100.0, date(2026, 6, 1))
        cls._order(cls.other, 100.0, date(2026, 6, 1))
        cls.env["res.partner"]._ecrm_recompute_all()
        for partner in cls.customer | cls.other:
            partner._ecrm_pin_level(cls.level_value.id, f"friend of {partner.name}")
            partner._ecrm_set_consent("email", "opt_out", "portal", partner.name)
            cls.env["ecrm.interaction.log"].create(
                {
                    "partner_id": partner.id,
                    "company_id": cls.company.id,
                    "summary": f"Call with {partner.name}",
                    "note": f"{partner.name} lives at the corner",
                }
            )
            partner.activity_schedule(
                "mail.mail_activity_data_todo", note=f"Call {partner.name}"
            )
        cls.ticket = cls.env["helpdesk.ticket"].create(
            {
                "name": "Broken kettle",
                "description": "<p>It leaks</p>",
                "partner_id": cls.customer.id,
                "partner_name": "Zelda Quarrington",
                "partner_email": "zelda@forget.example",
                "company_id": cls.company.id,
            }
        )

    def _forget(self, partner, user=None):
        wizard = (
            self.env["partner.anonymize.wizard"]
            .with_user(user or self.officer)
            .with_context(active_ids=partner.ids)
            .create({})
        )
        wizard.action_confirm()

    def _rows(self, model, partner):
        return self.env[model].sudo().search([("partner_id", "=", partner.id)])

    def test_forget_erases_core_data(self):
        self._forget(self.customer)
        customer = self.customer.with_context(active_test=False)
        self.assertIn("Anonymized", customer.name)
        # the histories and the logged interactions are gone, the other's stay
        for model in (
            "ecrm.level.history",
            "ecrm.lifecycle.history",
            "ecrm.interaction.log",
        ):
            self.assertFalse(self._rows(model, customer), model)
            self.assertTrue(self._rows(model, self.other), model)
        self.assertFalse(
            self.env["ecrm.interaction"]
            .sudo()
            .search(
                [
                    ("partner_id", "=", customer.id),
                    ("res_model", "=", "ecrm.interaction.log"),
                ]
            )
        )
        # the profile's figures stay (they are the orders'), not its free text
        profile = self._rows("ecrm.profile", customer)
        self.assertEqual(profile.order_count, 1)
        self.assertFalse(profile.level_pin_reason)
        self.assertTrue(self._rows("ecrm.profile", self.other).level_pin_reason)
        # the consent stays as proof, without note nor history
        consent = self._rows("ecrm.consent", customer)
        self.assertEqual((consent.channel, consent.state), ("email", "opt_out"))
        self.assertFalse(consent.note)
        self.assertFalse(consent.message_ids)
        self.assertTrue(self._rows("ecrm.consent", self.other).note)
        # the ticket stays, without the name and the address of its sender
        self.assertFalse(self.ticket.partner_name)
        self.assertFalse(self.ticket.partner_email)
        self.assertNotIn("zelda", self.ticket.ecrm_sender_email or "")
        self.assertFalse(customer.activity_ids)
        self.assertTrue(self.other.activity_ids)
        # the order stays, on the anonymised partner
        self.assertEqual(self.order.partner_id, customer)
        self.assertEqual(self.order.state, "sale")

    def test_histories_stay_append_only(self):
        """Forgetting is the one way a history row goes."""
        with self.assertRaises(UserError):
            self._rows("ecrm.level.history", self.customer).unlink()

    def test_forget_needs_the_right(self):
        clerk = new_test_user(
            self.env, login="ecrm_forget_clerk", groups="base.group_user"
        )
        with self.assertRaises(AccessError):
            self._forget(self.customer, clerk)
        self.assertTrue(self._rows("ecrm.interaction.log", self.customer))
