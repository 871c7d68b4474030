# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "eCRM Core",
    "summary": "Customer eCRM profile: service levels, lifecycle, RFM/CLV, "
    "consent, 360° timeline and service desk",
    "version": "18.0.1.0.0",
    "category": "Sales/CRM",
    "license": "AGPL-3",
    "author": "eCRM suite developers",
    "website": "https://github.com/ecrm-suite/ecrm",
    "depends": [
        "mail",
        "portal",
        "utm",
        "rating",
        "sale_management",
        "sale_stock",
        "helpdesk_mgmt",
    ],
    "data": [
        "security/ecrm_core_security.xml",
        "security/ir.model.access.csv",
        "data/ecrm_service_data.xml",
        "data/ecrm_level_data.xml",
        "data/ir_cron_data.xml",
        "data/ir_default_data.xml",
        "data/helpdesk_ticket_channel_data.xml",
        "views/ecrm_core_menus.xml",
        "views/ecrm_service_views.xml",
        "views/ecrm_level_views.xml",
        "wizards/ecrm_level_pin_wizard_views.xml",
        "views/ecrm_interaction_views.xml",
        "views/ecrm_consent_views.xml",
        "views/res_partner_views.xml",
        "views/res_config_settings_views.xml",
    ],
    "demo": [
        "demo/sale_order_demo.xml",
        "demo/ecrm_interaction_demo.xml",
    ],
    "assets": {
        "web.assets_tests": ["ecrm_core/static/tests/tours/*.js"],
    },
    "application": True,
}
