# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from collections import defaultdict

from odoo import api, fields, models
from odoo.tools import format_date


class LoyaltyCard(models.Model):
    _inherit = "loyalty.card"

    ecrm_bound = fields.Boolean(
        string="Bound to customer",
        readonly=True,
        help="Issued by an eCRM coupon rule: only this customer (or a contact "
        "of the same company) can use the code.",
    )
    # the ids of the products, one column of the coupon's row: a coupon rule
    # issues tens of thousands of coupons of five or so products each, whose
    # rows (and foreign key checks) in a relation table were most of the
    # issuance's time in the database
    ecrm_products = fields.Json(readonly=True)
    ecrm_product_ids = fields.Many2many(
        "product.product",
        compute="_compute_ecrm_product_ids",
        inverse="_inverse_ecrm_product_ids",
        string="Personal products",
        readonly=True,
        help="The discount of this coupon applies only to these products.",
    )
    ecrm_issue_ids = fields.One2many("ecrm.coupon.issue", "card_id", readonly=True)
    # plain texts for the coupon mail: a template of field paths only is
    # rendered without compiling QWeb once per coupon (see
    # mail.render.mixin._render_template_qweb_regex)
    ecrm_reward_text = fields.Char(compute="_compute_ecrm_mail_texts")
    ecrm_products_text = fields.Char(compute="_compute_ecrm_mail_texts")
    ecrm_validity_text = fields.Char(compute="_compute_ecrm_mail_texts")

    @api.depends("ecrm_products")
    def _compute_ecrm_product_ids(self):
        products = self._ecrm_sorted_products()
        for card in self:
            card.ecrm_product_ids = self.env["product.product"].browse(
                products[card.id]
            )

    def _inverse_ecrm_product_ids(self):
        for card in self:
            card.ecrm_products = card.ecrm_product_ids.ids or None

    def _ecrm_sorted_products(self):
        """{coupon id: the ids of its products that still exist (a product
        viewed but never sold can be deleted), archived ones included, in the
        products' order (as a relational field lists them)}."""
        stored = {card.id: card.ecrm_products or () for card in self}
        ids = {pid for pids in stored.values() for pid in pids}
        rank = {}
        if ids:
            products = (
                self.env["product.product"]
                .sudo()
                .with_context(active_test=False)
                .search([("id", "in", list(ids))])
            )
            rank = {pid: index for index, pid in enumerate(products.ids)}
        return {
            card_id: sorted((pid for pid in pids if pid in rank), key=rank.__getitem__)
            for card_id, pids in stored.items()
        }

    @api.depends_context("lang")
    @api.depends("program_id.reward_ids", "points", "ecrm_products", "expiration_date")
    def _compute_ecrm_mail_texts(self):
        # computed for a whole batch of coupon mails: each distinct text
        # worked out once, and set at once on the coupons that share it
        on_products, valid_until = self.env._("On %s"), self.env._("Valid until %s.")
        # not through ecrm_product_ids: a relational value set per coupon
        # costs more than the texts
        sorted_products = self._ecrm_sorted_products()
        products = self.env["product.product"].browse(
            {pid for pids in sorted_products.values() for pid in pids}
        )
        names = dict(zip(products._ids, products.mapped("display_name"), strict=True))
        cards = defaultdict(lambda: defaultdict(list))
        for card in self:
            cards["ecrm_reward_text"][card.program_id, card.points].append(card.id)
            cards["ecrm_products_text"][tuple(sorted_products[card.id])].append(card.id)
            cards["ecrm_validity_text"][card.expiration_date].append(card.id)
        for (program, points), ids in cards["ecrm_reward_text"].items():
            self.browse(ids).ecrm_reward_text = ", ".join(
                reward.description
                for reward in program.reward_ids
                if reward.required_points <= points
            )
        for product_ids, ids in cards["ecrm_products_text"].items():
            self.browse(ids).ecrm_products_text = (
                on_products % ", ".join(names[pid] for pid in product_ids)
                if product_ids
                else False
            )
        for expiration_date, ids in cards["ecrm_validity_text"].items():
            self.browse(ids).ecrm_validity_text = (
                valid_until % format_date(self.env, expiration_date)
                if expiration_date
                else False
            )

    @api.model
    def mail_allowed_qweb_expressions(self):
        return super().mail_allowed_qweb_expressions() + (
            "object.code",
            "object.ecrm_reward_text",
            "object.ecrm_products_text",
            "object.ecrm_validity_text",
            # the default coupon template's subject and recipients: rendered
            # by substitution too, not by safe_eval once per coupon
            "object.partner_id.id",
            "object.partner_id.lang",
            "object.program_id.company_id.name",
            "object.program_id.company_id.email_formatted",
        )

    def _ecrm_usable_by(self, partner):
        """Whether ``partner`` may use this coupon: anyone for Odoo's own
        cards (gift cards, eWallets, shared codes), only the customer's
        company for coupons bound by an eCRM rule."""
        self.ensure_one()
        return (
            not self.ecrm_bound
            or self.partner_id.commercial_partner_id == partner.commercial_partner_id
        )
