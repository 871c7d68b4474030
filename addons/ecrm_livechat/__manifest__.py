# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "eCRM Live Chat",
    "summary": "Live chat as an eCRM channel: timeline, routing by level, "
    "tickets from chats, FAQ answers by the chatbot",
    "version": "18.0.1.0.0",
    "category": "Sales/CRM",
    "license": "AGPL-3",
    "author": "eCRM suite developers",
    "website": "https://github.com/ecrm-suite/ecrm",
    "maintainers": ["ecrm-suite"],
    "development_status": "Beta",
    "depends": ["ecrm_core", "im_livechat"],
    "data": [
        "views/im_livechat_channel_views.xml",
        "views/discuss_channel_views.xml",
        "views/chatbot_script_views.xml",
        "views/helpdesk_ticket_views.xml",
    ],
    "demo": ["demo/ecrm_livechat_demo.xml"],
    "assets": {
        "web.assets_backend": ["ecrm_livechat/static/src/*.js"],
        "web.assets_tests": ["ecrm_livechat/static/tests/tours/*.js"],
    },
    "auto_install": True,
}
