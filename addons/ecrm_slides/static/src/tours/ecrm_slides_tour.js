/* License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl). */
import {registry} from "@web/core/registry";

// Data: tests/test_slides.py (TestSlidesTour): a Value-added customer.
registry.category("web_tour.tours").add("ecrm_slides_enrol", {
    url: "/my",
    steps: () => [
        {
            content: "the home's 'Your courses' lists the course the level opens",
            trigger: ".o_ecrm_home_block[data-key='courses'] .o_ecrm_course_open a:contains(Zither tour course)",
            run: "click",
        },
        {
            content: "the course's page",
            trigger: "h1:contains(Zither tour course)",
        },
        // As website_slides' own course_member tour: the page's chatter loads
        // lazily (its assets bundle is built on the first visit); joining
        // reloads the page, so let it finish first.
        {
            trigger: "a[id=review-tab]",
            run: "click",
        },
        {
            content: "wait for the whole page to load",
            trigger: "#chatterRoot:shadow .o-mail-Chatter",
        },
        {
            trigger: "a[id=home-tab]",
            run: "click",
        },
        {
            content: "join the reserved course",
            trigger: "a.o_wslides_js_course_join_link",
            run: "click",
        },
        {
            trigger: ".o_wslides_js_course_join:contains(You're enrolled)",
        },
    ],
});
