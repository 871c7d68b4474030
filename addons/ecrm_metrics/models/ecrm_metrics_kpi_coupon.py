# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models
from odoo.tools import SQL

from .ecrm_metrics_kpi import day_bounds


class EcrmMetricsKpiCoupon(models.AbstractModel):
    """Coupons and their return: coupons issued by ecrm_loyalty's rules (its
    contract: one ``ecrm.coupon.issue`` per customer drawn, a coupon unless in
    the control group; ``rules._ecrm_results``), redeemed, the revenue of the
    orders that used one, the incremental revenue and the ROI per rule."""

    _name = "ecrm.metrics.kpi.coupon"
    _inherit = "ecrm.metrics.kpi"
    _description = "eCRM Metrics: Coupons and ROI"
    _ecrm_family_sequence = 60

    @api.model
    def _ecrm_labels(self):
        return {
            "coupons_issued": self.env._("Coupons issued"),
            "coupons_redeemed": self.env._("Coupons redeemed"),
            "coupon_revenue": self.env._("Coupon revenue"),
            "incremental_revenue": self.env._("Incremental revenue"),
        }

    @api.model
    def _ecrm_compute(self, period, companies, filters, snapshot):
        """The filters restrict the orders of the coupon revenue."""
        values = self._ecrm_fetch(self._ecrm_coupon_select(period, companies, filters))
        campaigns = self._ecrm_campaigns(period, companies)
        return {
            "coupons_issued": values["issued"],
            "coupons_redeemed": values["redeemed"],
            "coupon_revenue": float(values["revenue"] or 0.0),
            "incremental_revenue": float(
                sum(c["incremental_revenue"] for c in campaigns)
            ),
        }

    @api.model
    def _ecrm_coupon_select(self, period, companies, filters):
        """Each figure is a sub-query of its own table."""
        after, before = day_bounds(*period)
        return {
            "issued": SQL(
                """(SELECT count(*) FROM ecrm_coupon_issue i
                     WHERE i.company_id = ANY(%(companies)s)
                       AND i.card_id IS NOT NULL
                       AND i.create_date >= %(after)s
                       AND i.create_date < %(before)s)""",
                companies=companies.ids,
                after=after,
                before=before,
            ),
            "redeemed": SQL(
                """(SELECT count(*) FROM ecrm_coupon_issue i
                     WHERE i.company_id = ANY(%(companies)s)
                       AND i.redeemed_date >= %(after)s
                       AND i.redeemed_date < %(before)s)""",
                companies=companies.ids,
                after=after,
                before=before,
            ),
            "revenue": SQL(
                """(SELECT sum(o.amount) FROM (%s) o
                     WHERE o.id IN (SELECT order_id FROM ecrm_coupon_issue
                                     WHERE order_id IS NOT NULL))""",
                self._ecrm_order_sql(companies, filters, period),
            ),
        }

    @api.model
    def _ecrm_campaigns(self, period, companies):
        """ecrm_loyalty's results per coupon rule for the issues of the period,
        with the discount the redeemed coupons gave and the return on it."""
        rules = (
            self.env["ecrm.coupon.rule"]
            .sudo()
            .with_context(active_test=False)
            .search([("company_id", "in", companies.ids)], order="sequence, id")
        )
        if not rules:
            return []
        results = rules._ecrm_results(date_from=period[0], date_to=period[1])
        after, before = day_bounds(*period)
        self.env.cr.execute(
            SQL(
                """
                SELECT i.rule_id,
                       -sum(sol.price_subtotal
                            / COALESCE(NULLIF(so.currency_rate, 0), 1))
                  FROM ecrm_coupon_issue i
                  JOIN sale_order so ON so.id = i.order_id AND so.state = 'sale'
                  JOIN sale_order_line sol ON sol.order_id = so.id
                   AND sol.reward_id IS NOT NULL
                 WHERE i.rule_id = ANY(%(rules)s)
                   AND i.create_date >= %(after)s AND i.create_date < %(before)s
                 GROUP BY i.rule_id
                """,
                rules=rules.ids,
                after=after,
                before=before,
            )
        )
        discounts = dict(self.env.cr.fetchall())
        campaigns = []
        for rule in rules:
            result = results[rule.id]
            if not result["audience"]:
                continue
            discount = float(discounts.get(rule.id) or 0.0)
            campaigns.append(
                {
                    "rule_id": rule.id,
                    "name": rule.name,
                    "issued": result["issued"],
                    "redeemed": result["redeemed"],
                    "redemption_rate": result["redemption_rate"],
                    "revenue": result["revenue"],
                    "incremental_revenue": result["incremental_revenue"],
                    "discount": discount,
                    "roi": (
                        (result["incremental_revenue"] - discount) / discount
                        if discount
                        else None
                    ),
                }
            )
        return campaigns

    @api.model
    def _ecrm_drilldown(self, key, period, companies, filters, value):
        if key == "coupon_revenue":
            orders = self._ecrm_orders_domain(period, companies, filters)
            orders.append(("id", "in", self._ecrm_coupon_order_ids()))
            return self._ecrm_window("sale.order", self.env._("Orders"), orders)
        if key not in ("coupons_issued", "coupons_redeemed", "incremental_revenue"):
            return False
        after, before = self._ecrm_string_bounds(period)
        issues = [("company_id", "in", companies.ids)]
        if key == "coupons_redeemed":
            issues += [("redeemed_date", ">=", after), ("redeemed_date", "<", before)]
        else:
            issues += [("create_date", ">=", after), ("create_date", "<", before)]
        if key == "coupons_issued":
            issues.append(("card_id", "!=", False))
        if value:
            issues.append(("rule_id", "=", value))
        return self._ecrm_window(
            "ecrm.coupon.issue", self.env._("Coupon issues"), issues
        )

    @api.model
    def _ecrm_coupon_order_ids(self):
        return (
            self.env["ecrm.coupon.issue"]
            .sudo()
            .search([("order_id", "!=", False)])
            .order_id.ids
        )
