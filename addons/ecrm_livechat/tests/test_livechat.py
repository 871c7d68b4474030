# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from odoo.addons.ecrm_core.tests.common import EcrmCase


@tagged("post_install", "-at_install")
class TestLivechat(EcrmCase):
    """Live chat as an eCRM channel: timeline rows, rules and operators by
    level, tickets from chats, FAQ answers by the chatbot, chat figures."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        operator_groups = "base.group_user,im_livechat.im_livechat_group_user"
        cls.operator, cls.vip_operator = (
            new_test_user(
                cls.env,
                login=login,
                name=name,
                groups=f"{operator_groups},helpdesk_mgmt.group_helpdesk_user",
                company_id=cls.company.id,
                company_ids=[cls.company.id],
            )
            for login, name in (
                ("ecrm_chat_op", "Olga Operator"),
                ("ecrm_chat_vip", "Victor Priority"),
            )
        )
        cls.vip_user, cls.plain_user = (
            new_test_user(
                cls.env,
                login=login,
                name=name,
                groups="base.group_portal",
                company_id=cls.company.id,
                company_ids=[cls.company.id],
            )
            for login, name in (
                ("ecrm_chat_vip_customer", "Vera Valued"),
                ("ecrm_chat_customer", "Carl Customer"),
            )
        )
        cls.vip_user.partner_id._ecrm_pin_level(cls.level_value.id, "test")
        cls.livechat = cls.env["im_livechat.channel"].create(
            {
                "name": "eCRM test support",
                "user_ids": [Command.set((cls.operator | cls.vip_operator).ids)],
            }
        )
        Rule = cls.env["im_livechat.channel.rule"]
        cls.vip_rule = Rule.create(
            {
                "channel_id": cls.livechat.id,
                "sequence": 1,
                "action": "auto_popup",
                "ecrm_level_ids": [Command.set(cls.level_value.ids)],
                "ecrm_operator_ids": [Command.set(cls.vip_operator.ids)],
            }
        )
        cls.default_rule = Rule.create(
            {"channel_id": cls.livechat.id, "sequence": 10, "action": "display_button"}
        )

    def _chat(self, customer=None, operator=None, **values):
        operator = operator or self.operator
        members = [Command.create({"partner_id": operator.partner_id.id})]
        if customer:
            members.append(Command.create({"partner_id": customer.id}))
        return self.env["discuss.channel"].create(
            {
                "channel_type": "livechat",
                "livechat_channel_id": self.livechat.id,
                "livechat_operator_id": operator.partner_id.id,
                "name": "test chat",
                "channel_member_ids": members,
                **values,
            }
        )

    def _say(self, chat, author, text):
        # as the live chat's controller posts for its visitor
        chat.sudo().message_post(body=text, author_id=author.id, message_type="comment")

    def _rate(self, chat, value):
        customer = chat._ecrm_customer()
        token = chat._rating_get_access_token(customer)
        chat.rating_apply(value, token=token)

    # timeline ------------------------------------------------------------

    def test_chat_of_a_known_customer_is_in_the_timeline(self):
        customer = self.plain_user.partner_id
        chat = self._chat(customer)
        self._rate(chat, 5)
        self._chat()  # a guest's chat: nobody's timeline
        rows = self.env["ecrm.interaction"].search(
            [("partner_id", "=", customer.id), ("kind", "=", "chat")]
        )
        self.assertEqual(len(rows), 1)
        self.assertEqual(
            (rows.channel, rows.direction, rows.company_id, rows.res_id),
            ("chat", "in", self.company, chat.id),
        )
        self.assertEqual(rows.summary, "Chat with Olga Operator, rated 5/5")

    # routing by level ----------------------------------------------------

    def _match(self, user):
        return (
            self.env["im_livechat.channel.rule"]
            .with_user(user)
            .sudo()
            .match_rule(self.livechat.id, "https://shop.example/shop")
        )

    def test_rule_kept_for_its_levels(self):
        self.assertEqual(self._match(self.vip_user), self.vip_rule)
        self.assertEqual(self._match(self.plain_user), self.default_rule)
        public = self.env.ref("base.public_user")
        self.assertEqual(self._match(public), self.default_rule)

    def test_priority_operators_for_the_rule_levels(self):
        self.env["bus.presence"].create(
            [
                {"user_id": user.id, "status": "online"}
                for user in (self.operator, self.vip_operator)
            ]
        )
        both = self.operator | self.vip_operator

        def available(user):
            return self.livechat.with_user(user).sudo().available_operator_ids

        self.assertEqual(available(self.vip_user), self.vip_operator)
        self.assertEqual(available(self.plain_user), both)
        # the priority operator away: the channel's operators
        self.env["bus.presence"].search(
            [("user_id", "=", self.vip_operator.id)]
        ).status = "away"
        self.env.invalidate_all()
        self.assertEqual(available(self.vip_user), self.operator)

    # tickets -------------------------------------------------------------

    def test_chat_becomes_a_ticket(self):
        customer = self.vip_user.partner_id
        chat = self._chat(customer)
        self._say(chat, customer, "My kettle leaks")
        chat.with_user(self.operator).execute_command_ticket(
            body="/ticket Leaking kettle"
        )
        ticket = chat.ecrm_ticket_ids
        self.assertEqual(
            (ticket.name, ticket.partner_id, ticket.ecrm_chat_id),
            ("Leaking kettle", customer, chat),
        )
        self.assertIn("My kettle leaks", ticket.description)
        self.assertEqual(
            ticket.channel_id, self.env.ref("ecrm_core.helpdesk_ticket_channel_chat")
        )
        # the level-based SLA of the customer
        self.assertEqual(ticket.ecrm_level_id, self.level_value)
        self.assertTrue(ticket.ecrm_first_response_deadline)
        # a button too, titled after the customer
        chat.with_user(self.operator).action_ecrm_create_ticket()
        self.assertIn("Chat with Vera Valued", chat.ecrm_ticket_ids.mapped("name"))

    def test_customer_cannot_make_tickets_of_chats(self):
        chat = self._chat(self.plain_user.partner_id)
        with self.assertRaises(AccessError):
            chat.with_user(self.plain_user).execute_command_ticket(body="/ticket x")
        self.assertFalse(chat.ecrm_ticket_ids)

    # chatbot -------------------------------------------------------------

    def test_chatbot_answers_with_faq_articles(self):
        Article = self.env["ecrm.faq.article"]
        Article.create(
            {
                "name": "Where is my parcel?",
                "keywords": "parcel late",
                "body": "<p>Follow it from your order page.</p>",
                "is_published": True,
            }
        )
        Article.create(
            {"name": "Parcel draft", "keywords": "parcel", "is_published": False}
        )
        script = self.env["chatbot.script"].create({"title": "FAQ bot"})
        ask, answer = self.env["chatbot.script.step"].create(
            [
                {
                    "chatbot_script_id": script.id,
                    "sequence": 1,
                    "step_type": "free_input_single",
                    "message": "Your question?",
                },
                {
                    "chatbot_script_id": script.id,
                    "sequence": 2,
                    "step_type": "text",
                    "ecrm_faq_answer": True,
                    "message": "These may help:",
                },
            ]
        )
        chat = self._chat(self.plain_user.partner_id, chatbot_current_step_id=ask.id)
        self._say(chat, self.plain_user.partner_id, "my parcel is late")
        body = answer._process_step(chat).body
        self.assertIn("These may help:", body)
        self.assertIn("Where is my parcel?", body)
        self.assertIn("Follow it from your order page.", body)
        self.assertNotIn("Parcel draft", body)
        self.assertEqual(chat.chatbot_current_step_id, answer)
        self._say(chat, self.plain_user.partner_id, "zyxwvut qwrtp")
        self.assertIn("I found no article", answer._process_step(chat).body)

    # metrics -------------------------------------------------------------

    def test_chat_kpis(self):
        today = fields.Date.today()
        chats = [self._chat(self.plain_user.partner_id) for _i in range(3)]
        chats[0].with_user(self.operator)._ecrm_create_ticket("x")
        self._rate(chats[0], 5)
        self._rate(chats[1], 1)
        old = self._chat(self.plain_user.partner_id)
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE discuss_channel SET create_date = %s WHERE id = %s",
            [today - timedelta(days=40), old.id],
        )
        kpis = self.env["discuss.channel"]._ecrm_chat_kpis(
            today - timedelta(days=7), today, self.company.ids
        )
        self.assertEqual(
            kpis,
            {
                "chats": 3,
                "escalated": 1,
                "escalation_rate": 1 / 3,
                "rated": 2,
                "csat": 0.5,
            },
        )
        other = self.env["res.company"].create({"name": "eCRM chat-free Co"})
        other_company = self.env["discuss.channel"]._ecrm_chat_kpis(
            today - timedelta(days=7), today, other.ids
        )
        self.assertEqual(other_company["chats"], 0)

    # right to be forgotten ------------------------------------------------

    def test_forget_renames_the_chats(self):
        customer = self.plain_user.partner_id
        chat = self._chat(customer, name="Carl Customer Olga Operator")
        admin = self.env.ref("base.user_admin")
        admin.company_ids |= self.company
        self.env["partner.anonymize.wizard"].with_user(admin).with_context(
            active_ids=customer.ids
        ).create({}).action_confirm()
        self.assertNotIn("Carl", chat.name)
        self.assertTrue(chat.exists())
