/** @odoo-module **/
// License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("ecrm_metrics_dashboard_tour", {
    url: "/odoo/action-ecrm_metrics.ecrm_dashboard_action",
    steps: () => [
        {
            content: "every card shows a value or what it needs",
            trigger: ".o_ecrm_dashboard .o_ecrm_card[data-key='revenue'] .o_ecrm_value",
            run() {
                const cards = [...document.querySelectorAll(".o_ecrm_card")];
                const empty = cards.filter(
                    (c) => !c.querySelector(".o_ecrm_value, .o_ecrm_missing")?.textContent.trim()
                );
                if (cards.length < 19 || empty.length) {
                    throw new Error(`cards without a value: ${empty.map((c) => c.dataset.key)}`);
                }
                if (document.querySelector(".o_ecrm_card[data-key='orders'] .o_ecrm_value").textContent.trim() === "–") {
                    throw new Error("no orders on the demo data");
                }
            },
        },
        {
            content: "a year instead of a month",
            trigger: ".o_ecrm_date_from",
            run() {
                const input = document.querySelector(".o_ecrm_date_from");
                input.value = "2000-01-01";
                input.dispatchEvent(new Event("input", { bubbles: true }));
            },
        },
        {
            trigger: ".o_ecrm_apply",
            run: "click",
        },
        {
            content: "the cohorts of the longer period",
            trigger: ".o_ecrm_cohorts tbody tr:nth-child(3)",
        },
        {
            content: "drill down into the orders",
            trigger: ".o_ecrm_card[data-key='orders']",
            run: "click",
        },
        {
            content: "the orders the figure counts",
            trigger: ".o_list_view .o_data_row",
        },
    ],
});
