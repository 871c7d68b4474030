import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("ecrm_core_level_tour", {
    url: "/odoo",
    steps: () => [
        {
            trigger: ".o_navbar_apps_menu button",
            run: "click",
        },
        {
            trigger: ".o_app[data-menu-xmlid='ecrm_core.ecrm_menu_root']",
            run: "click",
        },
        {
            trigger: ".o_main_navbar button:contains('Configuration')",
            run: "click",
        },
        {
            trigger: ".dropdown-item[data-menu-xmlid='ecrm_core.ecrm_level_menu']",
            run: "click",
        },
        {
            trigger: ".o_data_row td[name='name']:contains('Value-added')",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_field_widget[name='service_ids']:contains('Priority care')",
        },
    ],
});
