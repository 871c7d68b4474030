# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging
from datetime import timedelta

from odoo import api, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

# The day (channel, level) of every confirmed order of each customer and
# company, as of the last refresh: what the customers' rows added to the return
# and cohort snapshots, subtracted when their orders change; their first
# orders are written from it. A narrow table without an ORM model: millions of
# rows, no foreign keys to check on a rebuild, never read through RPC.
ORDER_TABLE = "ecrm_metrics_order_date"
# The ids of the orders deleted, and when (the start of the deleting
# transaction, as a write_date): the refresh takes their rows out of
# ORDER_TABLE. Rows older than every company's last refresh are purged.
UNLINKED_TABLE = "ecrm_metrics_order_unlinked"
# Namespace of the refresh's advisory locks (the second key is the company).
LOCK_NAMESPACE = 0x65636D78


class EcrmMetricsEngine(models.AbstractModel):
    """The refresh of the dashboard's daily snapshots (``readme/DEVELOP.md``:
    where each figure comes from): per company, incrementally (the days,
    orders and customers whose source rows changed since the company's last
    refresh) or in full. The scheduled action calls ``_ecrm_refresh`` one
    company per call; ``sale.order.unlink`` reports the deleted orders
    (``_ecrm_orders_unlinked``). The KPI layer (``ecrm.metrics.kpi``) reads
    what it writes."""

    _name = "ecrm.metrics.engine"
    _description = "eCRM Metrics: Snapshot Refresh"

    def init(self):
        self.env.cr.execute(
            SQL(
                """
                CREATE TABLE IF NOT EXISTS %(table)s (
                    company_id integer NOT NULL,
                    partner_id integer,
                    order_id integer NOT NULL,
                    date date NOT NULL,
                    channel varchar,
                    level_id integer
                );
                CREATE INDEX IF NOT EXISTS %(partner_index)s
                    ON %(table)s (company_id, partner_id, date);
                CREATE INDEX IF NOT EXISTS %(order_index)s ON %(table)s (order_id);
                CREATE TABLE IF NOT EXISTS %(unlinked)s (
                    order_id integer NOT NULL,
                    unlinked_at timestamp NOT NULL
                );
                CREATE INDEX IF NOT EXISTS %(unlinked_index)s
                    ON %(unlinked)s (unlinked_at)
                """,
                table=SQL.identifier(ORDER_TABLE),
                partner_index=SQL.identifier(f"{ORDER_TABLE}_partner_date_index"),
                order_index=SQL.identifier(f"{ORDER_TABLE}_order_index"),
                unlinked=SQL.identifier(UNLINKED_TABLE),
                unlinked_index=SQL.identifier(f"{UNLINKED_TABLE}_date_index"),
            )
        )

    @api.model
    def _ecrm_orders_unlinked(self, order_ids):
        """Orders about to be deleted: their rows leave the snapshots at the
        next refresh."""
        self.env.cr.execute(
            SQL(
                "INSERT INTO %s (order_id, unlinked_at)"
                " SELECT unnest(%s::int[]), now() at time zone 'UTC'",
                SQL.identifier(UNLINKED_TABLE),
                order_ids,
            )
        )

    @api.model
    def _ecrm_refresh(self, full=False):
        """Refresh the daily snapshots of every company: only the days whose
        source rows changed since the company's last refresh, or everything
        (``full``). Called by the cron one company per call (Odoo 18's batch
        protocol: the runner calls again while companies remain)."""
        companies = self.env["res.company"].sudo().search([], order="id")  # pylint: disable=no-search-all
        if self.env.context.get("cron_id"):
            lastcall = self.env.context.get("lastcall")
            todo = companies.filtered(
                lambda c: (
                    not c.ecrm_metrics_refreshed_at
                    or (lastcall and c.ecrm_metrics_refreshed_at <= lastcall)
                )
            )
            # the first company no other transaction is refreshing; none left
            # when they all are
            done = next((c for c in todo if self._ecrm_refresh_company(c, full)), None)
            self.env["ir.cron"]._notify_progress(
                done=int(bool(done)), remaining=len(todo) - 1 if done else 0
            )
            return
        for company in companies:
            self._ecrm_refresh_company(company, full)

    @api.model
    def _ecrm_refresh_company(self, company, full=False):
        """Refresh the snapshots of ``company``; False (nothing done) when
        another transaction is refreshing it: waiting for it would leave this
        one on a snapshot older than that refresh."""
        self.env.flush_all()
        watermark = self._ecrm_watermark()
        cr = self.env.cr
        cr.execute(
            SQL("SELECT pg_try_advisory_xact_lock(%s, %s)", LOCK_NAMESPACE, company.id)
        )
        if not cr.fetchone()[0]:
            _logger.info(
                "eCRM metrics of company %s not refreshed: another refresh is running",
                company.id,
            )
            return False
        cr.execute(SQL("SELECT now() at time zone 'UTC'"))
        now = cr.fetchone()[0]
        # PostgreSQL compiles (JIT) each of these statements, run once, for
        # more than some of them take (50 ms for a day's customers at 100 k)
        with self.env["ecrm.profile.engine"]._ecrm_settings(jit="off"):
            since = None
            if not full and company.sudo().ecrm_metrics_refreshed_at:
                since = company.sudo().ecrm_metrics_changes_since or None
            changed = self._ecrm_changed(company, since)
            sources = {
                "ecrm_metrics_order_day": SQL(
                    """
                    INSERT INTO ecrm_metrics_order_day
                           (date, company_id, channel, level_id, orders, revenue)
                    SELECT so.date_order::date, so.company_id, so.ecrm_channel,
                           so.ecrm_level_id, count(*),
                           sum(so.amount_untaxed
                               / CASE COALESCE(so.currency_rate, 0) WHEN 0 THEN 1.0
                                      ELSE so.currency_rate END)
                      FROM sale_order so
                     WHERE so.state = 'sale' AND so.company_id = %(company)s
                       AND %(days)s
                     GROUP BY 1, 2, 3, 4
                    """,
                    company=company.id,
                    days=self._ecrm_changed_filter(
                        SQL("so.date_order::date"),
                        changed["ecrm_metrics_order_day"],
                        SQL.identifier("so", "date_order"),
                    ),
                ),
                "ecrm_metrics_ticket_day": SQL(
                    """
                    INSERT INTO ecrm_metrics_ticket_day
                           (date, company_id, level_id, tickets, first_responses,
                            first_response_hours)
                    SELECT t.create_date::date, t.company_id, t.ecrm_level_id, count(*),
                           count(t.ecrm_first_response_date),
                           COALESCE(sum(extract(epoch FROM t.ecrm_first_response_date
                                                 - t.create_date) / 3600.0), 0)
                      FROM helpdesk_ticket t
                     WHERE t.company_id = %(company)s AND %(days)s
                     GROUP BY 1, 2, 3
                    """,
                    company=company.id,
                    days=self._ecrm_changed_filter(
                        SQL("t.create_date::date"),
                        changed["ecrm_metrics_ticket_day"],
                    ),
                ),
                "ecrm_metrics_delivery_day": SQL(
                    """
                    INSERT INTO ecrm_metrics_delivery_day
                           (date, company_id, deliveries, on_time)
                    SELECT day, company_id, count(*), count(*) FILTER (WHERE on_time)
                      FROM (%(deliveries)s) d
                     WHERE %(days)s
                     GROUP BY 1, 2
                    """,
                    deliveries=self.env["ecrm.metrics.kpi.service"]._ecrm_delivery_sql(
                        company
                    ),
                    days=self._ecrm_changed_filter(
                        SQL.identifier("day"),
                        changed["ecrm_metrics_delivery_day"],
                    ),
                ),
            }
            for table, insert in sources.items():
                cr.execute(
                    SQL(
                        "DELETE FROM %s WHERE company_id = %s AND %s",
                        SQL.identifier(table),
                        company.id,
                        self._ecrm_changed_filter(
                            SQL.identifier("date"), changed[table]
                        ),
                    )
                )
                cr.execute(insert)
            self.env["ecrm.metrics.engine.returns"]._ecrm_refresh_returns(
                company, changed["orders"]
            )
            self._ecrm_refresh_profiles(company, now.date(), since)
            company.sudo().write(
                {
                    "ecrm_metrics_refreshed_at": now,
                    "ecrm_metrics_changes_since": watermark,
                }
            )
            company.flush_recordset()
        # the deleted orders every company has read (a company not refreshed
        # yet is rebuilt)
        cr.execute(
            SQL(
                "DELETE FROM %s WHERE unlinked_at"
                " < (SELECT min(ecrm_metrics_changes_since) FROM res_company)",
                SQL.identifier(UNLINKED_TABLE),
            )
        )
        self.env.invalidate_all()
        return True

    @api.model
    def _ecrm_watermark(self):
        """The start of the oldest transaction open in this database (now at
        the latest), in UTC as Odoo's ``write_date``: a transaction still open
        commits its rows after the refresh with that ``write_date``, the next
        refresh must read them (reading a customer or day again is harmless)."""
        self.env.cr.execute(
            SQL(
                """
                SELECT LEAST(now(), min(xact_start)) AT TIME ZONE 'UTC'
                  FROM pg_stat_activity
                 WHERE datname = current_database() AND pid <> pg_backend_pid()
                   AND backend_type = 'client backend' AND xact_start IS NOT NULL
                """
            )
        )
        return self.env.cr.fetchone()[0]

    @api.model
    def _ecrm_changed(self, company, since):
        """Per snapshot, the days (or orders and customers) whose source rows
        were written since the last refresh (None on a full rebuild): each
        source read once, through its ``write_date`` index."""
        if since is None:
            return dict.fromkeys(
                (
                    "ecrm_metrics_order_day",
                    "ecrm_metrics_ticket_day",
                    "ecrm_metrics_delivery_day",
                    "orders",
                )
            )
        cr = self.env.cr
        # the orders written or deleted since, in any company: their rows as
        # of the last refresh (they may have left the company or the
        # customer, or be gone) and as of now; those that differ are
        # rewritten, the days of all of them (their amounts) recounted
        cr.execute(
            SQL(
                """
                WITH written AS (
                    SELECT id FROM sale_order WHERE write_date >= %(since)s
                ), old AS (
                    SELECT order_id, partner_id, date, channel, level_id
                      FROM %(table)s
                     WHERE company_id = %(company)s
                       AND order_id IN (SELECT id FROM written
                                        UNION ALL
                                        SELECT order_id FROM %(unlinked)s
                                         WHERE unlinked_at >= %(since)s)
                ), new AS (
                    SELECT id, ecrm_commercial_partner_id, date_order::date AS date,
                           ecrm_channel, ecrm_level_id
                      FROM sale_order
                     WHERE write_date >= %(since)s AND company_id = %(company)s
                       AND state = 'sale'
                ), rows AS (
                    (SELECT * FROM old EXCEPT SELECT * FROM new)
                    UNION ALL
                    (SELECT * FROM new EXCEPT SELECT * FROM old)
                ), customers AS (
                    SELECT partner_id, min(date) AS since FROM rows
                     WHERE partner_id IS NOT NULL GROUP BY partner_id
                )
                SELECT (SELECT COALESCE(array_agg(DISTINCT order_id), '{}') FROM rows),
                       (SELECT COALESCE(array_agg(DISTINCT date), '{}')
                          FROM (SELECT date FROM old UNION ALL SELECT date FROM new) d),
                       (SELECT COALESCE(array_agg(partner_id ORDER BY partner_id), '{}')
                          FROM customers),
                       (SELECT COALESCE(array_agg(since ORDER BY partner_id), '{}')
                          FROM customers)
                """,
                table=SQL.identifier(ORDER_TABLE),
                unlinked=SQL.identifier(UNLINKED_TABLE),
                company=company.id,
                since=since,
            )
        )
        orders, order_days, partners, first_days = cr.fetchone()
        cr.execute(
            SQL(
                """
                SELECT COALESCE(array_agg(DISTINCT create_date::date), '{}')
                  FROM helpdesk_ticket WHERE company_id = %(company)s
                   AND write_date >= %(since)s
                """,
                company=company.id,
                since=since,
            )
        )
        ticket_days = cr.fetchone()[0]
        cr.execute(
            SQL(
                """
                SELECT COALESCE(array_agg(DISTINCT date_done::date), '{}')
                  FROM stock_picking WHERE company_id = %(company)s
                   AND write_date >= %(since)s AND date_done IS NOT NULL
                """,
                company=company.id,
                since=since,
            )
        )
        return {
            "ecrm_metrics_order_day": order_days,
            "ecrm_metrics_ticket_day": ticket_days,
            "ecrm_metrics_delivery_day": cr.fetchone()[0],
            "orders": {"orders": orders, "customers": (partners, first_days)},
        }

    @api.model
    def _ecrm_changed_filter(self, column, changed, timestamp=None):
        """All rows on a full rebuild (``changed`` None), else those whose day
        (or customer) is among the changed ones; with the ``timestamp`` the
        day is taken from, also its range (for an index)."""
        if changed is None:
            return SQL("TRUE")
        if not changed:
            return SQL("FALSE")
        # a join on the list rather than "= ANY": one index probe per value
        condition = SQL("%s IN (SELECT unnest(%s))", column, changed)
        if timestamp is None:
            return condition
        return SQL(
            "%s AND %s >= %s AND %s < %s",
            condition,
            timestamp,
            min(changed),
            timestamp,
            max(changed) + timedelta(days=1),
        )

    @api.model
    def _ecrm_refresh_profiles(self, company, today, since=None):
        """Today's customers per level, stage and segment; the RFM segment
        history (a row when a customer's segment changed) of the profiles
        written ``since`` the last refresh (all when None)."""
        cr = self.env.cr
        cr.execute(
            SQL(
                """
                DELETE FROM ecrm_metrics_profile_day WHERE company_id = %(company)s
                   AND date = %(today)s;
                INSERT INTO ecrm_metrics_profile_day
                       (date, company_id, level_id, lifecycle_stage, rfm_segment,
                        customers, clv)
                SELECT %(today)s, company_id, level_id, lifecycle_stage, rfm_segment,
                       count(*), sum(clv)
                  FROM ecrm_profile
                 WHERE company_id = %(company)s
                 GROUP BY company_id, level_id, lifecycle_stage, rfm_segment;
                INSERT INTO ecrm_metrics_segment_history
                       (partner_id, company_id, date, rfm_segment)
                SELECT p.partner_id, p.company_id, %(today)s, p.rfm_segment
                  FROM ecrm_profile p
                  LEFT JOIN %(last)s
                 WHERE p.company_id = %(company)s AND %(written)s
                   AND p.rfm_segment IS DISTINCT FROM last.rfm_segment
                ON CONFLICT (partner_id, company_id, date)
                   DO UPDATE SET rfm_segment = EXCLUDED.rfm_segment
                """,
                company=company.id,
                today=today,
                written=SQL("p.write_date >= %s", since) if since else SQL("TRUE"),
                # every customer's last segment: one hash join; a few: one
                # probe each
                last=SQL(
                    """
                    LATERAL (
                        SELECT h.rfm_segment FROM ecrm_metrics_segment_history h
                         WHERE h.partner_id = p.partner_id
                           AND h.company_id = p.company_id
                         ORDER BY h.date DESC LIMIT 1) last ON TRUE
                    """
                )
                if since
                else SQL(
                    """
                    (SELECT DISTINCT ON (h.partner_id) h.partner_id, h.rfm_segment
                       FROM ecrm_metrics_segment_history h
                      WHERE h.company_id = %s
                      ORDER BY h.partner_id, h.date DESC) last
                      ON last.partner_id = p.partner_id
                    """,
                    company.id,
                ),
            )
        )

    @api.model
    def _ecrm_action_rebuild(self):
        """Rebuild every snapshot: in the background (the cron), never in the
        request of the manager who asked."""
        if not self.env.user.has_group("ecrm_core.group_ecrm_manager"):
            raise AccessError(
                self.env._("Only eCRM managers may rebuild the snapshots.")
            )
        self.env["res.company"].sudo().search([]).ecrm_metrics_refreshed_at = False  # pylint: disable=no-search-all
        self.env.ref("ecrm_metrics.ir_cron_ecrm_metrics_refresh").sudo()._trigger()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "message": self.env._(
                    "The snapshots are being rebuilt in the background."
                ),
                "type": "info",
            },
        }
