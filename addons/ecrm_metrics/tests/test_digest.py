# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import re

from freezegun import freeze_time

from odoo.tests import new_test_user, tagged

from .common import MetricsCase, d


@tagged("post_install", "-at_install")
class TestDigest(MetricsCase):
    """The weekly digest: queued for each eCRM manager who did not opt out,
    with the week's headline figures and their change against the week
    before, computed for the manager's own companies."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        customer = cls._customer("Digest customer")
        cls._order(customer, d("2025-03-03"), 100)  # the week before
        cls._order(customer, d("2025-03-10"), 150)  # the week: 8 to 14 March
        cls._order(cls._customer("Digest newcomer"), d("2025-03-12"), 50)
        cls.dashboard._ecrm_refresh()
        managers = "base.group_user,ecrm_core.group_ecrm_manager"
        cls.manager, cls.opted_out = (
            new_test_user(
                cls.env,
                login=login,
                email=f"{login}@metrics.example",
                groups=managers,
                company_id=cls.company.id,
                company_ids=cls.company.ids,
            )
            for login in ("digest_manager", "digest_opted_out")
        )
        cls.opted_out.ecrm_metrics_digest = False
        cls.user = new_test_user(
            cls.env,
            login="digest_user",
            email="digest_user@metrics.example",
            groups="base.group_user,ecrm_core.group_ecrm_user",
        )

    def _digests(self, user):
        return self.env["mail.mail"].search(
            [("email_to", "ilike", user.email), ("subject", "=", "Your eCRM week")]
        )

    @freeze_time("2025-03-15 06:00:00")
    def test_digest_queued_to_managers_who_did_not_opt_out(self):
        self.dashboard._ecrm_send_digest()
        mail = self._digests(self.manager)
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.state, "outgoing")  # queued, not sent
        body = mail.body_html
        self.assertIn("03/08/2025 –", body)
        self.assertIn("03/14/2025", body)
        # revenue 200 against 100, orders 2 against 1, new customers 1 vs 1
        cells = re.findall(r"<td[^>]*>\s*(.*?)\s*</td>", body, re.DOTALL)
        rows = {cells[i]: (cells[i + 1], cells[i + 2]) for i in range(0, len(cells), 3)}
        self.assertEqual(rows["Revenue"], ("$\xa0200.00", "(+100 %)"))
        self.assertEqual(rows["Orders"], ("2", "(+100 %)"))
        self.assertEqual(rows["New customers"], ("1", "(+0 %)"))
        self.assertEqual(rows["Retention"], ("100.0 %", ""))
        self.assertEqual(rows["CSAT"], ("–", ""))
        self.assertFalse(self._digests(self.opted_out))
        self.assertFalse(self._digests(self.user))  # not a manager

    def test_opt_out_is_the_users_own_preference(self):
        """A manager turns it off in their preferences (a self-writeable
        field), without rights on other users."""
        self.manager.with_user(self.manager).write({"ecrm_metrics_digest": False})
        self.assertFalse(self.manager.ecrm_metrics_digest)
