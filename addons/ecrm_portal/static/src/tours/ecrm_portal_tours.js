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
