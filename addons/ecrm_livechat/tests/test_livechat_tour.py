# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestLivechatTour(HttpCase):
    """The customer's chat path: a signed-in customer chats from the website
    (website_livechat, installed with the suite's website addons) and the
    conversation reaches their 360° timeline."""

    def test_customer_chats_from_the_website(self):
        support = self.env.ref("ecrm_livechat.im_livechat_channel_support")
        self.env.ref("website.default_website").channel_id = support
        admin = self.env.ref("base.user_admin")
        # the priority operator of the Value-added rule (demo) is online
        self.env["bus.presence"].create({"user_id": admin.id, "status": "online"})
        user = new_test_user(
            self.env,
            login="ecrm_chat_tour",
            name="Tina Tour",
            groups="base.group_portal",
        )
        customer = user.partner_id
        customer._ecrm_pin_level(
            self.env.ref("ecrm_core.ecrm_level_value_added").id, "test"
        )

        self.start_tour("/", "ecrm_livechat_chat", login=user.login)

        chat = self.env["discuss.channel"].search(
            [
                ("channel_type", "=", "livechat"),
                ("livechat_channel_id", "=", support.id),
                ("channel_partner_ids", "in", customer.ids),
            ]
        )
        self.assertEqual(len(chat), 1)
        # routed by level to the rule's priority operator, no FAQ bot
        self.assertEqual(chat.livechat_operator_id, admin.partner_id)
        self.assertFalse(chat.chatbot_current_step_id)
        message = chat.message_ids.filtered(lambda m: m.author_id == customer)
        self.assertEqual(len(message), 1)
        self.assertIn("My zither kettle whistles off-key", message.body)
        row = self.env["ecrm.interaction"].search(
            [("partner_id", "=", customer.id), ("channel", "=", "chat")]
        )
        self.assertEqual(
            (row.kind, row.direction, row.res_model, row.res_id, row.summary),
            ("chat", "in", "discuss.channel", chat.id, "Chat with Mitchell Admin"),
        )
