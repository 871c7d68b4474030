# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import datetime, time, timedelta

from odoo import api, fields, models
from odoo.tools import SQL

# the rate of the currency table sale.report joins (1 where there is none)
RATE = SQL(
    "CASE COALESCE(account_currency_table.rate, 0) WHEN 0 THEN 1.0"
    " ELSE account_currency_table.rate END"
)
NO_FILTERS = {"levels": None, "channels": None}


def day_bounds(start, end):
    """The UTC datetimes of a period of dates (both included), for range
    conditions an index can use."""
    return datetime.combine(start, time.min), datetime.combine(
        end + timedelta(days=1), time.min
    )


class EcrmMetricsKpi(models.AbstractModel):
    """The KPI layer: the SQL parts the figures share, and the composition of
    the families of figures.

    A *family* is an AbstractModel inheriting this one with a
    ``_ecrm_family_sequence`` (``ecrm.metrics.kpi.revenue``, ``.acquisition``,
    ``.retention``, ``.rfm``, ``.service``, ``.coupon``): it names its figures
    (``_ecrm_labels``), computes them for a period (``_ecrm_compute``) and
    opens the records they count (``_ecrm_drilldown``). Each query of a family
    is composed of small methods (``_ecrm_<query>_select`` returning
    ``{column: expression}``, ``_from``, ``_where``), as ``sale.report``
    composes its query: a module changes one figure by overriding one part.
    A new family is one new model; ``ecrm.dashboard.get_kpis`` and the screen
    pick it up. Every figure is defined in ``readme/DESCRIPTION.md``."""

    _name = "ecrm.metrics.kpi"
    _description = "eCRM Metrics: Figures"

    # where the family's figures come in get_kpis and on the screen; None: not
    # a family (this model)
    _ecrm_family_sequence = None

    # ------------------------------------------------------------------
    # A family's interface
    # ------------------------------------------------------------------

    @api.model
    def _ecrm_labels(self):
        """``{key: label}`` of the figures of ``get_kpis`` the family computes."""
        return {}

    @api.model
    def _ecrm_compute(self, period, companies, filters, snapshot):
        """``{key: value}`` of the family's figures; ``snapshot``: whether the
        companies' snapshots may be read (else everything from the sources)."""
        return {}

    @api.model
    def _ecrm_drilldown(self, key, period, companies, filters, value):
        """The window action of the records figure ``key`` counts (``value``:
        a chart's bar), False when the key is not the family's."""
        return False

    # ------------------------------------------------------------------
    # Composition
    # ------------------------------------------------------------------

    @api.model
    def _ecrm_families(self):
        """The families, in their sequence."""
        names = self.env.registry.descendants(["ecrm.metrics.kpi"], "_inherit")
        families = [
            self.env[name]
            for name in names
            if self.env[name]._ecrm_family_sequence is not None
        ]
        return sorted(families, key=lambda f: (f._ecrm_family_sequence, f._name))

    @api.model
    def _ecrm_all_labels(self):
        labels = {}
        for family in self._ecrm_families():
            labels.update(family._ecrm_labels())
        return labels

    @api.model
    def _ecrm_kpis(self, period, companies, filters, snapshot=True, keys=None):
        """The figures of the period; with ``keys`` (a set of figures' keys),
        those of the families computing one of them only."""
        snapshot = snapshot and self._ecrm_refreshed(companies)
        kpis = {}
        for family in self._ecrm_families():
            if keys is None or not keys.isdisjoint(family._ecrm_labels()):
                kpis.update(family._ecrm_compute(period, companies, filters, snapshot))
        return kpis

    @api.model
    def _ecrm_drilldown_action(self, key, period, companies, filters, value=None):
        for family in self._ecrm_families():
            action = family._ecrm_drilldown(key, period, companies, filters, value)
            if action:
                return action
        return False

    # ------------------------------------------------------------------
    # Shared SQL parts
    # ------------------------------------------------------------------

    @api.model
    def _ecrm_fetch(self, select, from_=None, where=()):
        """``{column: value}`` of ``SELECT select FROM from_ WHERE where``
        (``select``: ``{column: expression}``, ``where``: conditions; without
        ``from_``, the expressions are sub-queries)."""
        query = SQL(
            "SELECT %s",
            SQL(", ").join(
                SQL("%s AS %s", expression, SQL.identifier(column))
                for column, expression in select.items()
            ),
        )
        if from_ is not None:
            query = SQL(
                "%s FROM %s WHERE %s",
                query,
                from_,
                SQL(" AND ").join(where or [SQL("TRUE")]),
            )
        self.env.cr.execute(query)
        return self.env.cr.dictfetchone()

    @api.model
    def _ecrm_refreshed(self, companies):
        """Whether every company's snapshots have been written: until its first
        refresh (a new company, after an upgrade or a rebuild asked for) they
        may be empty or partial, the figures are read live."""
        return all(companies.sudo().mapped("ecrm_metrics_refreshed_at"))

    @api.model
    def _ecrm_returns_exact(self, companies, filters, snapshot):
        """Whether the return and cohort snapshots give the customers' figures:
        they are per company and per stream of orders: all of them, those of
        one channel, or of one level (a customer's previous order through
        other filters, or in several companies, is another one)."""
        levels, channels = filters["levels"] or (), filters["channels"] or ()
        return snapshot and len(companies) == 1 and len(levels) + len(channels) <= 1

    @api.model
    def _ecrm_stream_sql(self, filters, alias):
        """The condition on the rows ``alias`` of the return or cohort
        snapshot of the stream of orders of the filters (one level or one
        channel at most, ``_ecrm_returns_exact``)."""
        conditions = []
        for column, values in (
            ("channel", filters["channels"]),
            ("level_id", filters["levels"]),
        ):
            identifier = SQL.identifier(alias, column)
            conditions.append(
                SQL("%s = %s", identifier, values[0])
                if values
                else SQL("%s IS NULL", identifier)
            )
        return SQL(" AND ").join(conditions)

    @api.model
    def _ecrm_filter_sql(self, filters, level, channel=None):
        """The conditions of the filters on a level (and channel) column."""
        conditions = []
        if filters["levels"]:
            conditions.append(SQL("%s = ANY(%s)", level, filters["levels"]))
        if channel is not None and filters["channels"]:
            conditions.append(SQL("%s = ANY(%s)", channel, filters["channels"]))
        return SQL(" AND ").join(conditions) if conditions else SQL("TRUE")

    @api.model
    def _ecrm_currency_table(self, companies):
        """Rates to the current company's currency, as sale.report converts."""
        return self.env["res.currency"]._get_simple_currency_table(companies)

    @api.model
    def _ecrm_order_sql(self, companies, filters, period=None, amounts=True):
        """Confirmed orders of the companies (of the period when given, through
        the filters) with their commercial customer, UTC day and untaxed amount
        converted as sale.report does (``amounts``)."""
        conditions = [
            SQL("so.state = 'sale' AND so.company_id = ANY(%s)", companies.ids),
            self._ecrm_filter_sql(
                filters,
                SQL.identifier("so", "ecrm_level_id"),
                SQL.identifier("so", "ecrm_channel"),
            ),
        ]
        if period:
            conditions.append(
                SQL("so.date_order >= %s AND so.date_order < %s", *day_bounds(*period))
            )
        return SQL(
            """
            SELECT so.id, so.ecrm_commercial_partner_id AS customer,
                   so.date_order::date AS day, so.company_id, %(amount)s AS amount
              FROM sale_order so %(currency_join)s
             WHERE %(conditions)s
            """,
            amount=SQL(
                """so.amount_untaxed
                       / CASE COALESCE(so.currency_rate, 0) WHEN 0 THEN 1.0
                              ELSE so.currency_rate END * %s""",
                RATE,
            )
            if amounts
            else SQL("NULL::numeric"),
            currency_join=SQL(
                "JOIN %s ON account_currency_table.company_id = so.company_id",
                self._ecrm_currency_table(companies),
            )
            if amounts
            else SQL(),
            conditions=SQL(" AND ").join(conditions),
        )

    @api.model
    def _ecrm_snapshot_orders(self, period, companies, filters):
        """(orders, revenue) of the period from the order days."""
        self.env.cr.execute(
            SQL(
                """
                SELECT COALESCE(sum(d.orders), 0), sum(d.revenue * %(rate)s)
                  FROM ecrm_metrics_order_day d
                  JOIN %(currency_table)s
                    ON account_currency_table.company_id = d.company_id
                 WHERE d.company_id = ANY(%(companies)s)
                   AND d.date BETWEEN %(start)s AND %(end)s AND %(filters)s
                """,
                currency_table=self._ecrm_currency_table(companies),
                rate=RATE,
                companies=companies.ids,
                start=period[0],
                end=period[1],
                filters=self._ecrm_filter_sql(
                    filters,
                    SQL.identifier("d", "level_id"),
                    SQL.identifier("d", "channel"),
                ),
            )
        )
        return self.env.cr.fetchone()

    @api.model
    def _ecrm_firsts_sql(self, period, companies, filters, snapshot=True):
        """The customers whose first order (in these companies, through the
        filters) is in the period, with its day."""
        start, end = period
        if not snapshot:
            return SQL(
                """
                SELECT customer, min(day) AS first_day FROM (%(orders)s) o
                 GROUP BY customer HAVING min(day) BETWEEN %(start)s AND %(end)s
                """,
                orders=self._ecrm_order_sql(companies, filters, amounts=False),
                start=start,
                end=end,
            )
        return SQL(
            """
            SELECT f.partner_id AS customer, min(f.first_date) AS first_day
              FROM ecrm_metrics_customer_first f
             WHERE f.company_id = ANY(%(companies)s)
               AND f.first_date BETWEEN %(start)s AND %(end)s AND %(filters_f)s
               AND NOT EXISTS (
                   SELECT 1 FROM ecrm_metrics_customer_first g
                    WHERE g.partner_id = f.partner_id
                      AND g.company_id = ANY(%(companies)s)
                      AND g.first_date < %(start)s AND %(filters_g)s)
             GROUP BY f.partner_id
            """,
            companies=companies.ids,
            start=start,
            end=end,
            filters_f=self._ecrm_filter_sql(
                filters, SQL.identifier("f", "level_id"), SQL.identifier("f", "channel")
            ),
            filters_g=self._ecrm_filter_sql(
                filters, SQL.identifier("g", "level_id"), SQL.identifier("g", "channel")
            ),
        )

    # ------------------------------------------------------------------
    # Drill-down helpers
    # ------------------------------------------------------------------

    @api.model
    def _ecrm_string_bounds(self, period):
        """The period's UTC bounds as strings, for domains."""
        return tuple(fields.Datetime.to_string(b) for b in day_bounds(*period))

    @api.model
    def _ecrm_orders_domain(self, period, companies, filters):
        after, before = self._ecrm_string_bounds(period)
        orders = [
            ("state", "=", "sale"),
            ("company_id", "in", companies.ids),
            ("date_order", ">=", after),
            ("date_order", "<", before),
        ]
        if filters["levels"]:
            orders.append(("ecrm_level_id", "in", filters["levels"]))
        if filters["channels"]:
            orders.append(("ecrm_channel", "in", filters["channels"]))
        return orders

    @api.model
    def _ecrm_partners(self, query):
        """The customers a query returns (one column of partner ids)."""
        self.env.cr.execute(query)
        ids = [row[0] for row in self.env.cr.fetchall()]
        return self._ecrm_window(
            "res.partner", self.env._("Customers"), [("id", "in", ids)]
        )

    @api.model
    def _ecrm_window(self, model, name, domain):
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": model,
            "views": [[False, "list"], [False, "form"]],
            "domain": domain,
            "target": "current",
        }
