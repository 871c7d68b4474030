# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "eCRM Loyalty",
    "summary": "Loyalty tiers by eCRM level and rule-driven coupon campaigns",
    "version": "18.0.1.5.0",
    "category": "Sales/CRM",
    "license": "AGPL-3",
    "author": "eCRM suite developers",
    "website": "https://github.com/ecrm-suite/ecrm",
    "maintainers": ["ecrm-suite"],
    "development_status": "Beta",
    "depends": ["ecrm_core", "ecrm_portal", "sale_loyalty", "website_sale"],
    "data": [
        "security/ecrm_loyalty_security.xml",
        "security/ir.model.access.csv",
        "data/ir_cron_data.xml",
        "data/ecrm_audience_tag_data.xml",
        "data/mail_template_data.xml",
        "views/ecrm_coupon_rule_views.xml",
        "views/ecrm_coupon_issue_views.xml",
        "views/portal_templates.xml",
        "views/loyalty_program_views.xml",
        "views/res_partner_views.xml",
        "views/res_config_settings_views.xml",
    ],
    "uninstall_hook": "uninstall_hook",
    "demo": ["demo/ecrm_coupon_rule_demo.xml"],
    "assets": {
        "web.assets_tests": ["ecrm_loyalty/static/tests/tours/*.js"],
    },
}
