/* License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl). */
import {registry} from "@web/core/registry";

// Data: tests/test_forget.py (TestForgetTour).
registry.category("web_tour.tours").add("ecrm_portal_forget", {
    url: "/my/preferences",
    steps: () => [
        {
            content: "ask to be forgotten from the preferences",
            trigger: ".o_ecrm_forget_block .o_ecrm_forget_link",
            run: "click",
        },
        {
            content: "without the confirmation, nothing happens",
            trigger: ".o_ecrm_forget_form .o_ecrm_forget_submit",
            run: "click",
        },
        {
            trigger: ".o_ecrm_forget_form .alert-danger",
        },
        {
            content: "confirm",
            trigger: ".o_ecrm_forget_form input[name='confirm']",
            run: "click",
        },
        {
            trigger: ".o_ecrm_forget_form .o_ecrm_forget_submit",
            run: "click",
        },
        {
            content: "the request is received",
            trigger: ".o_ecrm_forget_pending",
        },
    ],
});
