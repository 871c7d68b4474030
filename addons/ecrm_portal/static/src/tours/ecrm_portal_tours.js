/* License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl). */
import {redirect} from "@web/core/utils/urls";
import {registry} from "@web/core/registry";

// Data: tests/test_tours.py.
registry.category("web_tour.tours").add("ecrm_portal_home_search_ticket", {
    url: "/my",
    steps: () => [
        {
            content: "the home's blocks are loaded",
            trigger: ".o_ecrm_home_block[data-key='level']",
        },
        {
            content: "the recent orders' compact step bars",
            trigger: ".o_ecrm_home_block[data-key='orders'] .o_ecrm_step_bar_compact .o_ecrm_step_current[data-state='shipped']",
        },
        {
            content: "a recommended product's card: picture, name, price, page, cart",
            trigger: [
                ".o_ecrm_recommendation:has(.card-img-top)",
                ":has(.o_ecrm_recommendation_name a[href*='/shop/']:contains(Tour cup))",
                ":has(.o_ecrm_recommendation_price:contains(12.00))",
            ].join(""),
        },
        {
            trigger: ".o_ecrm_recommendation:contains(Tour cup) button.o_ecrm_add_to_cart",
        },
        {
            content: "no internal reference in the cards' names",
            trigger: ".o_ecrm_home_block[data-key='recommendations']:not(:has(.o_ecrm_recommendation_name:contains('[')))",
        },
        {
            content: "move the recent orders up",
            trigger: ".o_ecrm_home_block[data-key='orders'] .o_ecrm_block_up",
            run: "click",
        },
        {
            trigger: ".o_ecrm_home_blocks_content > section:first-child[data-key='orders']",
        },
        {
            content: "hide the recommendations",
            trigger: ".o_ecrm_home_block[data-key='recommendations'] .o_ecrm_block_hide",
            run: "click",
        },
        {
            trigger: ".o_ecrm_hidden_blocks .o_ecrm_block_show:contains(Recommended for you)",
        },
        {
            trigger: "#ecrm_home_blocks:not(:has(.o_ecrm_home_block[data-key='recommendations']))",
            run() {
                redirect("/my/orders");
            },
        },
        {
            content: "search the orders by product",
            trigger: ".o_portal_search_panel input[name='search']",
            run: "edit Tour teapot",
        },
        {
            trigger: ".o_portal_search_panel button[type='submit']",
            run: "click",
        },
        {
            content: "one order found: open it",
            trigger: "tbody tr:only-child a[href*='/my/orders/']",
            run: "click",
        },
        {
            content: "the step bar of the shipped order, first on the page",
            trigger: "#ecrm_tracking + .o_portal_sale_sidebar",
        },
        {
            trigger: "#ecrm_tracking .o_ecrm_step_current[data-state='shipped']",
        },
        {
            content: "problem with this order?",
            trigger: "a.o_ecrm_order_problem:visible",
            run: "click",
        },
        {
            trigger: ".o_ecrm_ticket_order",
        },
        {
            trigger: "input[name='subject']",
            run: "edit my parcel is late",
        },
        {
            content: "a FAQ article is suggested",
            trigger: ".o_ecrm_ticket_suggestions a.o_ecrm_ticket_suggestion:contains(Where is my parcel)",
        },
        {
            trigger: "textarea[name='description']",
            run: "edit It has not arrived yet.",
        },
        {
            trigger: "form[action='/submitted/ticket'] button[type='submit']",
            run: "click",
        },
        {
            content: "the ticket is created",
            trigger: "body:contains(my parcel is late)",
        },
    ],
});

registry.category("web_tour.tours").add("ecrm_portal_delivery_rating", {
    steps: () => [
        {
            content: "a shipped delivery with its steps",
            trigger: "#ecrm_tracking .o_ecrm_delivery_state:contains(Shipped)",
        },
        {
            content: "the step bar: done, current with its date, to come",
            trigger: [
                ".o_ecrm_step_bar",
                ":has(.o_ecrm_step_done[data-state='processed'] .o_ecrm_step_date)",
                ":has(.o_ecrm_step_done[data-state='packed'])",
                ":has(.o_ecrm_step_current[aria-current='step'][data-state='shipped'] .o_ecrm_step_date)",
                ":has(.o_ecrm_step_todo[data-state='delivered'])",
            ].join(""),
        },
        {
            content: "a step to come has no date",
            trigger: ".o_ecrm_step_todo[data-state='on_the_way']:not(:has(.o_ecrm_step_date))",
        },
        {
            content: "the expected date and the carrier's link",
            trigger: "#ecrm_tracking .o_ecrm_expected:contains(Expected delivery)",
        },
        {
            trigger: "#ecrm_tracking a.o_ecrm_carrier_link[href^='https://track.example/']",
        },
        {
            content: "one state per delivery: Odoo's own badge is ours",
            trigger: "div[name='delivery_details']:has(.o_ecrm_badge_shipped):not(:has(.text-bg-success))",
        },
        {
            content: "I received it",
            trigger: ".o_ecrm_received",
            run: "click",
        },
        {
            trigger: "#ecrm_tracking .o_ecrm_delivery_state:contains(Delivered)",
        },
        {
            trigger: "#ecrm_tracking .o_ecrm_step_current[data-state='delivered'] .o_ecrm_step_date",
        },
        {
            content: "rate the delivery",
            trigger: ".o_ecrm_rating_prompt a.o_ecrm_rate[data-rate='5']",
            run: "click",
        },
        {
            trigger: "textarea[name='feedback']",
            run: "edit Right on time",
        },
        {
            trigger: "button[type='submit']:contains(Send Feedback)",
            run: "click",
        },
        {
            trigger: "h3:contains(Thank you for your feedback)",
        },
    ],
});

// Accessibility: axe-core (WCAG 2.1 A and AA rules) on every page the suite adds
// or changes. Only the violations of the suite's own markup fail (elements in or
// under a class "o_ecrm…" or an id "ecrm_…"): Odoo's own pages have some of
// their own, which the suite does not add. axe-core is served by the test
// (tests/test_tours.py) as an attachment of this xml id.
const AXE_URL = "/web/content/ecrm_portal_test.axe_core";
const SUITE = "[class*='o_ecrm'], [id^='ecrm_']";

async function loadAxe() {
    if (window.axe) {
        return;
    }
    await new Promise((resolve, reject) => {
        const script = document.createElement("script");
        script.src = AXE_URL;
        script.onload = resolve;
        script.onerror = () => reject(new Error(`axe-core not found at ${AXE_URL}`));
        document.head.append(script);
    });
}

async function checkAccessibility(page) {
    await loadAxe();
    const result = await window.axe.run(document, {
        runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    });
    const ours = [];
    for (const violation of result.violations) {
        for (const node of violation.nodes) {
            // a target in a frame or a shadow root is a list: not the suite's
            const selector = node.target.length === 1 && node.target[0];
            const element = typeof selector === "string" && document.querySelector(selector);
            if (element && element.closest(SUITE)) {
                ours.push(`${violation.id} ${selector}: ${node.failureSummary}`);
            }
        }
    }
    if (ours.length) {
        throw new Error(`axe-core on ${page}:\n${ours.join("\n")}`);
    }
    document.body.classList.add(`o_ecrm_axe_done_${page}`);
}

function axeSteps(page, ready) {
    return [
        {
            content: `${page} is shown`,
            trigger: ready,
        },
        {
            content: `axe-core on ${page}`,
            trigger: "body",
            async run() {
                await checkAccessibility(page);
            },
        },
        {
            trigger: `body.o_ecrm_axe_done_${page}`,
        },
    ];
}

function goTo(url) {
    return {
        trigger: "body",
        run() {
            redirect(url);
        },
    };
}

registry.category("web_tour.tours").add("ecrm_portal_accessibility", {
    url: "/my",
    steps: () => [
        ...axeSteps("home", ".o_ecrm_home_block[data-key='recommendations'] .o_ecrm_recommendation"),
        goTo("/my/orders"),
        ...axeSteps("orders", ".o_ecrm_order_tracking"),
        {
            trigger: "tr:has(.o_ecrm_badge_shipped) a[href*='/my/orders/']",
            run: "click",
        },
        ...axeSteps("order", "#ecrm_tracking .o_ecrm_step_bar"),
        {
            trigger: "a.o_ecrm_order_problem:visible",
            run: "click",
        },
        {
            trigger: "input[name='subject']",
            run: "edit my parcel is late",
        },
        ...axeSteps("ticket", ".o_ecrm_ticket_suggestions a.o_ecrm_ticket_suggestion"),
        goTo("/my/preferences"),
        ...axeSteps("preferences", ".o_ecrm_preferences"),
        goTo("/help"),
        ...axeSteps("help", ".o_ecrm_help"),
        {
            trigger: ".o_ecrm_help a[href^='/help/']",
            run: "click",
        },
        ...axeSteps("article", ".o_ecrm_help_article"),
        goTo("/track"),
        ...axeSteps("track", ".o_ecrm_guest_lookup"),
        {
            trigger: "input[name='reference']",
            run: "edit AXE-TRACK-1",
        },
        {
            trigger: "input[name='email']",
            run: "edit alice@portal.example",
        },
        {
            trigger: ".o_ecrm_guest_lookup button[type='submit']",
            run: "click",
        },
        ...axeSteps("track_result", "#ecrm_tracking .o_ecrm_step_bar"),
    ],
});
