# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import threading
import uuid

from odoo import SUPERUSER_ID, api
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestLookupConcurrency(TransactionCase):
    """The guest lookup's tries counted by concurrent requests, in cursors of
    their own (committed data, cleaned up afterwards): never more tries
    evaluated than the limit."""

    def setUp(self):
        super().setUp()
        self.key = f"ip:test-{uuid.uuid4()}"
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        with self.registry.cursor() as cr:
            cr.execute("DELETE FROM ecrm_lookup_attempt WHERE key = %s", [self.key])

    def _try(self, cr):
        env = api.Environment(cr, SUPERUSER_ID, {})
        return self.key in env["ecrm.lookup.attempt"]._ecrm_try([self.key], env.company)

    def test_a_request_sees_the_tries_committed_after_it_began(self):
        with self.registry.cursor() as cr1, self.registry.cursor() as cr2:
            env2 = api.Environment(cr2, SUPERUSER_ID, {})
            # the second request has begun (its snapshot is taken)...
            limit = env2.company.ecrm_lookup_max_tries
            # ...when the first one spends every try
            for _n in range(limit):
                self.assertFalse(self._try(cr1))
            cr1.commit()
            self.assertTrue(self._try(cr2))

    def test_tries_at_once_evaluated_up_to_the_limit(self):
        limit = self.env.company.ecrm_lookup_max_tries
        requests = 2 * limit
        start = threading.Barrier(requests)
        refused = []

        def request():
            with self.registry.cursor() as cr:
                cr.execute("SELECT 1")  # the request's snapshot, before the others
                start.wait(timeout=30)
                refused.append(self._try(cr))

        threads = [threading.Thread(target=request) for _n in range(requests)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        self.assertEqual(len(refused), requests)
        self.assertEqual(refused.count(False), limit)
