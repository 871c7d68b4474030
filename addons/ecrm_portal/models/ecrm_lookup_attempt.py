# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.tools import SQL

# the first half of the advisory lock keys of the lookup's counters
LOCK_SPACE = 0x65637274  # "ecrt"


class EcrmLookupAttempt(models.Model):
    """A try of the guest order lookup, counted per client IP and per order
    to rate-limit guessing; old tries are removed by the autovacuum."""

    _name = "ecrm.lookup.attempt"
    _description = "eCRM Guest Lookup Attempt"
    _log_access = False

    key = fields.Char(required=True, index=True)
    date = fields.Datetime(required=True, index=True)

    @api.model
    def _ecrm_try(self, keys, company):
        """Record a try under each of ``keys``; return those that have used
        up their tries in the company's window (this try included).

        Counted in a cursor of its own, which commits at once, while holding
        a lock per key: concurrent tries under one key are counted one after
        the other, each seeing the ones before it. (The request's snapshot,
        taken before the lock is granted, would miss them.)"""
        keys = sorted(set(keys))  # always locked in one order: no deadlock
        window = company.ecrm_lookup_window_minutes
        tries = company.ecrm_lookup_max_tries
        with self.env.registry.cursor() as cr:
            try:
                for key in keys:
                    cr.execute(
                        SQL(
                            "SELECT pg_advisory_lock(%s, hashtext(%s))", LOCK_SPACE, key
                        )
                    )
                # session locks outlive this commit: the next statement's
                # snapshot has every try committed before the locks were granted
                # (our own cursor's commit, not the request's)
                cr.commit()  # pylint: disable=invalid-commit
                cr.execute(
                    SQL(
                        """
                        WITH tried AS (
                            INSERT INTO ecrm_lookup_attempt (key, date)
                            SELECT unnest(%(keys)s::varchar[]), now() at time zone 'UTC'
                        )
                        SELECT key
                          FROM ecrm_lookup_attempt
                         WHERE key = ANY(%(keys)s)
                           AND date > now() at time zone 'UTC'
                                      - %(window)s * interval '1 minute'
                         GROUP BY key
                        -- the statement's own inserts are not visible to its SELECT: +1
                        HAVING count(*) + 1 > %(tries)s
                        """,
                        keys=keys,
                        window=window,
                        tries=tries,
                    )
                )
                spent = {key for (key,) in cr.fetchall()}
                # committed before the unlock
                cr.commit()  # pylint: disable=invalid-commit
            finally:
                cr.rollback()  # nothing left after the commit; ends a failed one
                # the locks taken, however far it went (the cursor's session
                # holds no other session lock)
                cr.execute("SELECT pg_advisory_unlock_all()")
        return spent

    @api.autovacuum
    def _gc_attempts(self):
        self.env.cr.execute(
            "DELETE FROM ecrm_lookup_attempt"
            " WHERE date < now() at time zone 'UTC' - interval '1 day'"
        )
