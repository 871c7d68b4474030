# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "eCRM Portal - eCommerce",
    "summary": "The shop's categories as the customer's interests on the portal",
    "version": "18.0.1.0.0",
    "category": "Sales/CRM",
    "license": "AGPL-3",
    "author": "eCRM suite developers",
    "website": "https://github.com/ecrm-suite/ecrm",
    "maintainers": ["ecrm-suite"],
    "development_status": "Beta",
    "depends": ["ecrm_portal", "website_sale"],
    "data": ["views/res_partner_views.xml"],
    "post_init_hook": "post_init_hook",
    "auto_install": True,
}
