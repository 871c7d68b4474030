# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.tools import SQL


class EcrmLookupAttempt(models.Model):
    """A try of the guest order lookup, counted per client IP and per order
    reference to rate-limit guessing; old tries are removed by the autovacuum."""

    _name = "ecrm.lookup.attempt"
    _description = "eCRM Guest Lookup Attempt"
    _log_access = False

    key = fields.Char(required=True, index=True)
    date = fields.Datetime(required=True, index=True)

    @api.model
    def _ecrm_try(self, keys, company):
        """Record a try under each of ``keys``; return those that have used
        up their tries in the company's window (this try included)."""
        self.env.cr.execute(
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
                window=company.ecrm_lookup_window_minutes,
                tries=company.ecrm_lookup_max_tries,
            )
        )
        return {key for (key,) in self.env.cr.fetchall()}

    @api.autovacuum
    def _gc_attempts(self):
        self.env.cr.execute(
            "DELETE FROM ecrm_lookup_attempt"
            " WHERE date < now() at time zone 'UTC' - interval '1 day'"
        )
