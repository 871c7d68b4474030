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
            content: "the tracking timeline of the shipped order",
            trigger: "#ecrm_tracking .o_ecrm_steps li:contains(Shipped)",
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
            content: "I received it",
            trigger: ".o_ecrm_received",
            run: "click",
        },
        {
            trigger: "#ecrm_tracking .o_ecrm_delivery_state:contains(Delivered)",
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
