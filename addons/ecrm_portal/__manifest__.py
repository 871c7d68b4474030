# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "eCRM Portal",
    "summary": "Order tracking, guest lookup, personalised home, self-service",
    "version": "18.0.1.0.0",
    "category": "Sales/CRM",
    "license": "AGPL-3",
    "author": "eCRM suite developers",
    "website": "https://github.com/ecrm-suite/ecrm",
    "depends": [
        "ecrm_core",
        "portal",
        "sale",
        "sale_stock",
        "stock_delivery",
        "rating",
    ],
    "data": [
        "security/ecrm_portal_security.xml",
        "security/ir.model.access.csv",
        "data/mail_template_data.xml",
        "views/stock_picking_views.xml",
        "views/sale_order_views.xml",
        "views/delivery_carrier_views.xml",
        "views/portal_home_templates.xml",
        "views/sale_portal_templates.xml",
        "views/sale_portal_list_templates.xml",
        "views/help_templates.xml",
        "views/guest_lookup_templates.xml",
        "views/res_config_settings_views.xml",
        "views/rating_templates.xml",
        "views/ecrm_faq_article_views.xml",
    ],
    "demo": ["demo/ecrm_portal_demo.xml"],
    "assets": {
        "web.assets_tests": ["ecrm_portal/static/tests/tours/*.js"],
    },
}
