/** @odoo-module **/
// License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import { Component, onWillStart, useState } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { formatFloat, formatMonetary } from "@web/views/fields/formatters";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { EcrmChart } from "./chart";

const { DateTime } = luxon;

// the cards, by group; "rate" figures are shares (0-1) shown as percentages
const GROUPS = [
    [_t("Acquisition and revenue"), ["revenue", "orders", "average_order_value", "new_customers"]],
    [_t("Retention"), ["active_customers", "retention_rate", "churn_rate", "repeat_rate", "clv_average"]],
    [_t("Service quality"), ["tickets", "avg_first_response_hours", "sla_met_rate", "csat", "nps", "on_time_delivery_rate"]],
    [_t("Campaigns"), ["coupons_issued", "coupons_redeemed", "coupon_revenue", "incremental_revenue"]],
];
const MONEY = new Set(["revenue", "average_order_value", "clv_average", "coupon_revenue", "incremental_revenue"]);
const SHARE = new Set(["retention_rate", "churn_rate", "repeat_rate", "sla_met_rate", "csat", "on_time_delivery_rate"]);
// a rise of these is bad news
const LOWER_IS_BETTER = new Set(["churn_rate", "avg_first_response_hours"]);

export class EcrmDashboard extends Component {
    static template = "ecrm_metrics.Dashboard";
    static props = ["*"];
    static components = { EcrmChart };

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        const today = DateTime.now().startOf("day");
        this.state = useState({
            dateFrom: today.minus({ days: 29 }).toISODate(),
            dateTo: today.toISODate(),
            level: "",
            channel: "",
            data: null,
            loaded: "", // the arguments of the data shown
        });
        this.groups = GROUPS;
        onWillStart(() => this.load());
    }

    /** The arguments every call shares: period, companies (the switcher's), filters. */
    get args() {
        return [
            this.state.dateFrom,
            this.state.dateTo,
            null,
            this.state.level ? [parseInt(this.state.level)] : null,
            this.state.channel ? [this.state.channel] : null,
        ];
    }

    async load() {
        const data = await this.orm.call("ecrm.dashboard", "get_dashboard", this.args);
        // built once per load: a chart is drawn again only when its data changes
        this.charts = this.buildCharts(data);
        this.state.data = data;
        this.state.loaded = JSON.stringify(this.args);
    }

    async onApply(ev) {
        ev.preventDefault();
        if (this.state.dateFrom && this.state.dateTo) {
            await this.load();
        }
    }

    format(key, value) {
        if (value === null || value === undefined || value === false) {
            return "–";
        }
        if (SHARE.has(key)) {
            return `${formatFloat(value * 100, { digits: [false, 1] })} %`;
        }
        if (MONEY.has(key)) {
            return formatMonetary(value, { currencyId: this.state.data.currency_id });
        }
        if (Number.isInteger(value)) {
            return formatFloat(value, { digits: [false, 0] });
        }
        return formatFloat(value, { digits: [false, 1] });
    }

    change(key) {
        const { kpis, previous } = this.state.data;
        const now = kpis[key];
        const before = previous[key];
        if (now === null || before === null || before === undefined || !before) {
            return null;
        }
        const pct = (100 * (now - before)) / Math.abs(before);
        const good = LOWER_IS_BETTER.has(key) ? pct <= 0 : pct >= 0;
        return { text: `${pct >= 0 ? "+" : ""}${pct.toFixed(0)} %`, good };
    }

    sparkline(key) {
        if (!["revenue", "orders", "average_order_value"].includes(key)) {
            return null;
        }
        const points = this.state.data.revenue_by_day.map((p) => p[1]);
        if (points.length < 2) {
            return null;
        }
        const max = Math.max(...points) || 1;
        const step = 100 / (points.length - 1);
        return points.map((v, i) => `${(i * step).toFixed(1)},${(28 - (v / max) * 26).toFixed(1)}`).join(" ");
    }

    cohortStyle(value) {
        return `background-color: rgba(113, 75, 103, ${(0.1 + 0.9 * value).toFixed(2)}); color: ${value > 0.5 ? "#fff" : "#222"}`;
    }

    /** The charts: the figure they drill into, a title, their bars (rows of
     * [label, customers, value]) and their orientation. */
    buildCharts(data) {
        const money = (value) => formatMonetary(value, { currencyId: data.currency_id });
        const histogram = data.clv_histogram.map((b) => [
            b.to === null ? `≥ ${money(b.from)}` : `${money(b.from)} – ${money(b.to)}`,
            b.customers,
            b.bucket,
        ]);
        return [
            ["clv_histogram", _t("Lifetime value (customers)"), histogram, false],
            ["funnel", _t("Funnel: selection → acquisition → retention → extension"), data.funnel, true],
            ["level_id", _t("Customers by level"), data.distribution.level_id, false],
            ["lifecycle_stage", _t("Customers by lifecycle stage"), data.distribution.lifecycle_stage, false],
            ["rfm_segment", _t("RFM segments"), data.distribution.rfm_segment, true],
        ].map(([key, title, rows, horizontal]) => ({
            key,
            title,
            rows,
            horizontal,
            labels: rows.map((r) => r[0] || _t("None")),
            values: rows.map((r) => r[1]),
        }));
    }

    money(value, currencyId) {
        return value === null || value === undefined ? "–" : formatMonetary(value, { currencyId });
    }

    /** P(alive) by tenth: a bar per tenth, its share of the customers. */
    aliveBars(counts) {
        const total = (counts || []).reduce((a, b) => a + b, 0) || 1;
        return (counts || []).map((count, i) => ({
            label: `${i * 10}–${i * 10 + 10} %`,
            count,
            width: ((100 * count) / total).toFixed(1),
        }));
    }

    percent(value) {
        return value === null ? "–" : `${formatFloat(value * 100, { digits: [false, 0] })} %`;
    }

    async openDrilldown(key, value = null) {
        const action = await this.orm.call("ecrm.dashboard", "action_drilldown", [key, ...this.args], {
            value,
        });
        this.action.doAction(action);
    }
}

registry.category("actions").add("ecrm_metrics.dashboard", EcrmDashboard);
