# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "eCRM Online Training",
    "summary": "Courses reserved to eCRM levels, 'Your courses' on the portal "
    "home, enrolments and completions in the timeline",
    "version": "18.0.1.0.0",
    "category": "Sales/CRM",
    "license": "AGPL-3",
    "author": "eCRM suite developers",
    "website": "https://github.com/ecrm-suite/ecrm",
    "maintainers": ["ecrm-suite"],
    "development_status": "Beta",
    "depends": ["ecrm_portal", "website_slides"],
    "data": [
        "views/slide_channel_views.xml",
        "views/website_slides_templates.xml",
        "views/portal_templates.xml",
    ],
    "demo": ["demo/ecrm_slides_demo.xml"],
    "assets": {
        "web.assets_tests": ["ecrm_slides/static/src/tours/*.js"],
    },
    "auto_install": True,
}
