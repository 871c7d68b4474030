# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging

from odoo import fields, models

_logger = logging.getLogger(__name__)


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def _ecrm_bound_coupon_error(self, coupon):
        if coupon and not coupon._ecrm_usable_by(self.partner_id):
            return {
                "error": self.env._(
                    "This coupon (%s) belongs to another customer.", coupon.code
                )
            }
        return None

    def _ecrm_level(self):
        """The eCRM level of the order's customer in the order's company."""
        self.ensure_one()
        return (
            self.env["ecrm.profile"]
            .sudo()
            .search(
                [
                    ("partner_id", "=", self.partner_id.commercial_partner_id.id),
                    ("company_id", "=", self.company_id.id),
                ],
                limit=1,
            )
            .level_id
        )

    def _program_check_compute_points(self, programs):
        result = super()._program_check_compute_points(programs)
        tiered = programs.filtered("ecrm_tier_ids")
        if tiered:
            level = self._ecrm_level()
            for program in tiered:
                multiplier = program._ecrm_multiplier(level)
                if "points" in result.get(program, {}):
                    result[program]["points"] = [
                        points * multiplier for points in result[program]["points"]
                    ]
        return result

    def _get_claimable_rewards(self, forced_coupons=None):
        result = super()._get_claimable_rewards(forced_coupons=forced_coupons)
        if not any(
            reward.ecrm_level_ids for rewards in result.values() for reward in rewards
        ):
            return result
        level = self._ecrm_level()
        granted = {
            coupon: rewards.filtered(lambda reward: reward._ecrm_granted_to(level))
            for coupon, rewards in result.items()
        }
        return {coupon: rewards for coupon, rewards in granted.items() if rewards}

    def _try_apply_code(self, code):
        self.ensure_one()
        coupon = self.env["loyalty.card"].search([("code", "=", code)], limit=1)
        if not coupon and (referral := self._ecrm_try_referral(code)):
            if "error" in referral:
                return referral
            coupon = referral["coupon"]
            code = coupon.code
        return self._ecrm_bound_coupon_error(coupon) or super()._try_apply_code(code)

    def _ecrm_referral_rule(self):
        return (
            self.env["ecrm.coupon.rule"]
            .sudo()
            .search(
                [("trigger", "=", "referral"), ("company_id", "=", self.company_id.id)],
                limit=1,
            )
        )

    def _ecrm_try_referral(self, code):
        """A referral code applied by a new customer: their coupon of the
        referral rule (``{"coupon": card}``), an error, or None when ``code``
        is no referral code."""
        referrer = (
            self.env["res.partner"]
            .sudo()
            .search([("ecrm_referral_code", "=", code)], limit=1)
        )
        rule = referrer and self._ecrm_referral_rule()
        if not rule:
            return None
        referee = self.partner_id.commercial_partner_id.sudo()
        public = self.website_id and self.partner_id == self.website_id.partner_id
        if public:
            return {"error": self.env._("Sign in to use a referral code.")}
        # the same company, or a mailbox of its: aliases (anna+2@,
        # ANNA@, a.nna@gmail) and contacts count as oneself
        if referee == referrer.commercial_partner_id or (
            (self.partner_id | referee)._ecrm_mailboxes() & referrer._ecrm_mailboxes()
        ):
            return {"error": self.env._("You cannot use your own referral code.")}
        if (
            referee.ecrm_referrer_id
            and referee.ecrm_referrer_id != referrer.commercial_partner_id
        ):
            return {"error": self.env._("You were already referred by someone else.")}
        confirmed = (
            self.env["sale.order"]
            .sudo()
            .search_count(
                [
                    ("partner_id", "child_of", referee.id),
                    ("state", "=", "sale"),
                ],
                limit=1,
            )
        )
        if confirmed:
            return {"error": self.env._("Referral codes are for new customers.")}
        referee.ecrm_referrer_id = referrer.commercial_partner_id
        coupon = self.env["ecrm.coupon.engine"]._ecrm_referee_coupon(rule, referee)
        return {"coupon": coupon.with_env(self.env)}

    def _apply_program_reward(self, reward, coupon, **kwargs):
        # also when the customer of the order changes after the code was applied
        if error := self._ecrm_bound_coupon_error(coupon):
            return error
        if reward.ecrm_level_ids and not reward._ecrm_granted_to(self._ecrm_level()):
            return {
                "error": self.env._("This reward is reserved to other customer levels.")
            }
        return super()._apply_program_reward(reward, coupon, **kwargs)

    def _update_programs_and_rewards(self):
        # the customer of the order may have changed since the code was applied
        for order in self:
            foreign = (order.applied_coupon_ids | order.order_line.coupon_id).filtered(
                lambda coupon, order=order: not coupon._ecrm_usable_by(order.partner_id)
            )
            if foreign:
                order.applied_coupon_ids -= foreign
                order.order_line.filtered(
                    lambda line, foreign=foreign: line.coupon_id in foreign
                ).unlink()
        return super()._update_programs_and_rewards()

    def _get_reward_values_discount(self, reward, coupon, **kwargs):
        order = self
        if coupon.ecrm_products:
            # the stored ids: a coupon whose products were all deleted
            # discounts nothing, it does not become a coupon on everything
            order = self.with_context(ecrm_coupon_product_ids=coupon.ecrm_products)
        return super(SaleOrder, order)._get_reward_values_discount(
            reward, coupon, **kwargs
        )

    def _get_specific_discountable_lines(self, reward):
        lines = super()._get_specific_discountable_lines(reward)
        product_ids = self.env.context.get("ecrm_coupon_product_ids")
        if product_ids is not None:
            lines = lines.filtered(lambda line: line.product_id.id in product_ids)
        return lines

    def action_confirm(self):
        res = super().action_confirm()
        # what the coupons add to a confirmation never blocks a paid order:
        # logged and left out, as the core's recompute of the customers
        try:
            with self.env.cr.savepoint():
                self._ecrm_record_redemptions()
        except Exception:  # pylint: disable=broad-except
            _logger.exception(
                "eCRM: the coupon redemptions of orders %s were not recorded",
                self.ids,
            )
        self._ecrm_reward_referrers()
        return res

    def _ecrm_reward_referrers(self):
        engine = self.env["ecrm.coupon.engine"]
        for order in self:
            referee = order.partner_id.commercial_partner_id.sudo()
            if not referee.ecrm_referrer_id or referee.ecrm_referral_reward_id:
                continue
            if rule := order._ecrm_referral_rule():
                try:
                    with self.env.cr.savepoint():
                        engine._ecrm_reward_referrer(rule, referee)
                except Exception:  # pylint: disable=broad-except
                    _logger.exception(
                        "eCRM: no referral reward for order %s of customer %s",
                        order.id,
                        referee.id,
                    )

    def _action_cancel(self):
        res = super()._action_cancel()
        issues = (
            self.env["ecrm.coupon.issue"].sudo().search([("order_id", "in", self.ids)])
        )
        issues.write({"order_id": False, "redeemed_date": False})
        return res

    def _ecrm_record_redemptions(self):
        coupons = self.order_line.coupon_id.filtered("ecrm_bound")
        if not coupons:
            return
        issues = (
            self.env["ecrm.coupon.issue"]
            .sudo()
            .search([("card_id", "in", coupons.ids), ("order_id", "=", False)])
        )
        now = fields.Datetime.now()
        for issue in issues:
            order = self.filtered(
                lambda o, card=issue.card_id: card in o.order_line.coupon_id
            )
            issue.write({"order_id": order[:1].id, "redeemed_date": now})
