/** @odoo-module **/
// License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import { registry } from "@web/core/registry";

const yearAgo = luxon.DateTime.now().minus({ days: 364 }).toISODate();

function value(key) {
    return document.querySelector(`.o_ecrm_card[data-key='${key}'] .o_ecrm_value`).textContent.trim();
}

/** Every KPI card shows a value and every chart or table has data. */
function checkEveryCard() {
    const cards = [...document.querySelectorAll(".o_ecrm_card")];
    const empty = cards.filter((c) => ["", "–"].includes(c.querySelector(".o_ecrm_value").textContent.trim()));
    const charts = [...document.querySelectorAll(".o_ecrm_chart_card")];
    const bare = charts.filter((c) => !(parseInt(c.dataset.total) > 0));
    if (cards.length !== 19 || empty.length || charts.length !== 7 || bare.length) {
        throw new Error(
            `cards without a value: ${empty.map((c) => c.dataset.key)}; ` +
                `charts without data: ${bare.map((c) => c.dataset.key)}`
        );
    }
    if (document.querySelectorAll(".o_ecrm_chart canvas").length !== 5) {
        throw new Error("Chart.js did not draw the charts");
    }
}

/** The predictive block (the demo shop's model): revenue expected in 30, 90
 * and 365 days, rising with the horizon; P(alive) by tenth; the model's check. */
function checkPrediction() {
    const block = document.querySelector(".o_ecrm_prediction");
    if (!block) {
        throw new Error("no predictive block");
    }
    const amounts = [...block.querySelectorAll(".o_ecrm_predicted_revenue tbody td.text-end")].map(
        (td) => parseFloat(td.textContent.replace(/[^\d.]/g, ""))
    );
    if (amounts.length !== 3 || !(amounts[0] > 0 && amounts[0] < amounts[1] && amounts[1] < amounts[2])) {
        throw new Error(`expected revenue: ${amounts}`);
    }
    if (block.querySelectorAll(".o_ecrm_p_alive .o_ecrm_bar").length !== 10) {
        throw new Error("P(alive) is not shown by tenth");
    }
    if (!block.querySelector(".o_ecrm_validation table, .o_ecrm_validation p")) {
        throw new Error("the model's check is not shown");
    }
}

function setInput(selector, newValue) {
    const input = document.querySelector(selector);
    input.value = newValue;
    input.dispatchEvent(new Event(input.tagName === "SELECT" ? "change" : "input", { bubbles: true }));
}

registry.category("web_tour.tours").add("ecrm_metrics_dashboard_tour", {
    url: "/odoo/action-ecrm_metrics.ecrm_dashboard_action",
    steps: () => [
        {
            content: "the last year",
            trigger: ".o_ecrm_dashboard .o_ecrm_card[data-key='revenue'] .o_ecrm_value",
            run() {
                setInput(".o_ecrm_date_from", yearAgo);
            },
        },
        {
            trigger: ".o_ecrm_apply",
            run: "click",
        },
        {
            content: "a year of demo data: every card and chart has a value, the cohorts",
            trigger: `.o_ecrm_dashboard[data-loaded*='${yearAgo}'] .o_ecrm_cohorts tbody tr:nth-child(6)`,
            run() {
                checkEveryCard();
                checkPrediction();
                document.body.dataset.ecrmAllOrders = value("orders");
                setInput(".o_ecrm_channel", "website");
            },
        },
        {
            trigger: ".o_ecrm_apply",
            run: "click",
        },
        {
            content: "the channel filter: the website's orders only (website_sale's demo carts)",
            trigger: ".o_ecrm_dashboard[data-loaded*='website']",
            run() {
                const all = parseInt(document.body.dataset.ecrmAllOrders.replace(/\D/g, ""));
                const website = parseInt(value("orders").replace(/\D/g, ""));
                if (!(website < all) || value("tickets") === "0") {
                    throw new Error(`website: ${value("orders")} orders, ${value("tickets")} tickets`);
                }
                setInput(".o_ecrm_channel", "backend");
            },
        },
        {
            trigger: ".o_ecrm_apply",
            run: "click",
        },
        {
            content: "the backend orders",
            trigger: ".o_ecrm_dashboard[data-loaded*='backend']",
            run() {
                checkEveryCard();
                document.body.dataset.ecrmOrders = value("orders");
            },
        },
        {
            content: "drill down into the orders of the channel",
            trigger: ".o_ecrm_card[data-key='orders']",
            run: "click",
        },
        {
            content: "as many orders as the card counts",
            trigger: ".o_list_view .o_data_row",
            run() {
                const total = document.querySelector(".o_pager_limit")?.textContent.trim()
                    ?? String(document.querySelectorAll(".o_data_row").length);
                if (total !== document.body.dataset.ecrmOrders) {
                    throw new Error(`${total} orders listed, ${document.body.dataset.ecrmOrders} counted`);
                }
            },
        },
    ],
});
