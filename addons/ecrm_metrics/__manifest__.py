# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "eCRM Metrics",
    "summary": "eCRM dashboards: acquisition, retention, cohorts, CLV, RFM, ROI",
    "version": "18.0.1.5.0",
    "category": "Sales/CRM",
    "license": "AGPL-3",
    "author": "eCRM suite developers",
    "website": "https://github.com/ecrm-suite/ecrm",
    "maintainers": ["ecrm-suite"],
    "development_status": "Beta",
    "depends": ["digest", "ecrm_core", "ecrm_portal", "ecrm_loyalty"],
    "data": [
        "security/ir.model.access.csv",
        "security/ecrm_metrics_security.xml",
        "data/ir_cron_data.xml",
        "data/digest_data.xml",
        "views/ecrm_metrics_menus.xml",
        "views/ecrm_metrics_snapshot_views.xml",
    ],
    "post_init_hook": "post_init_hook",
    "uninstall_hook": "uninstall_hook",
    "assets": {
        "web.assets_backend": [
            "ecrm_metrics/static/src/dashboard/*",
        ],
        "web.assets_tests": ["ecrm_metrics/static/tests/tours/*.js"],
    },
}
