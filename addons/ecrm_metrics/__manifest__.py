# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "eCRM Metrics",
    "summary": "eCRM dashboards: acquisition, retention, cohorts, CLV, RFM, ROI",
    "version": "18.0.1.0.0",
    "category": "Sales/CRM",
    "license": "AGPL-3",
    "author": "eCRM suite developers",
    "website": "https://github.com/ecrm-suite/ecrm",
    "depends": ["ecrm_core", "ecrm_portal", "ecrm_loyalty"],
}
