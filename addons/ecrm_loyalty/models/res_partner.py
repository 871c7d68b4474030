# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import secrets

import psycopg2

from odoo import fields, models
from odoo.tools import email_normalize

from .ecrm_coupon_engine import CODE_ALPHABET

REFERRAL_CODE_LENGTH = 10
# Gmail delivers a.nna@gmail.com and anna@googlemail.com to the same mailbox
GMAIL_DOMAINS = {"gmail.com", "googlemail.com"}


def canonical_email(email):
    """The mailbox ``email`` reaches, to tell whether two addresses are one
    person's: lower case (Odoo's normalisation), without the sub-address
    (``anna+shop@`` is ``anna@``: Gmail, Outlook, iCloud, Fastmail, Proton...
    deliver it to the same mailbox) and, for Gmail only, without the dots of
    the local part (Gmail ignores them; elsewhere ``a.nna`` and ``anna`` may
    be two people). None when ``email`` is no address."""
    normalized = email_normalize(email or "")
    if not normalized:
        return None
    local, _at, domain = normalized.rpartition("@")
    local = local.split("+", 1)[0]
    if domain in GMAIL_DOMAINS:
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}"


class ResPartner(models.Model):
    _inherit = "res.partner"

    ecrm_referral_code = fields.Char(
        string="Referral code",
        copy=False,
        readonly=True,
        index="btree_not_null",
        groups="ecrm_core.group_ecrm_user",
        help="Given by this customer to friends: a new customer who uses it "
        "gets a coupon, and this customer a reward at their first order.",
    )
    ecrm_referrer_id = fields.Many2one(
        "res.partner",
        string="Referred by",
        readonly=True,
        copy=False,
        groups="ecrm_core.group_ecrm_user",
    )
    ecrm_referral_reward_id = fields.Many2one(
        "loyalty.card",
        string="Referrer's reward",
        readonly=True,
        copy=False,
        groups="ecrm_core.group_ecrm_user",
        help="The coupon the referrer got for this customer's first order.",
    )

    _sql_constraints = [
        (
            "ecrm_referral_code_uniq",
            "unique(ecrm_referral_code)",
            "Referral codes are unique.",
        ),
    ]

    def _ecrm_get_referral_code(self):
        """This customer's referral code, created the first time it is asked."""
        self.ensure_one()
        partner = self.sudo()
        if not partner.ecrm_referral_code and self.env.cr.readonly:
            # a read-only request (the portal home's blocks, maybe on a replica):
            # Odoo replays it read/write, as for a refused write, without the
            # refused statement's error in the log
            raise psycopg2.errors.ReadOnlySqlTransaction("referral code to create")
        if not partner.ecrm_referral_code:
            partner.ecrm_referral_code = "".join(
                secrets.choice(CODE_ALPHABET) for _index in range(REFERRAL_CODE_LENGTH)
            )
        return partner.ecrm_referral_code

    def _ecrm_mailboxes(self):
        """The mailboxes (``canonical_email``) of these partners, their
        commercial partners and those's contacts."""
        partners = self.sudo() | self.sudo().commercial_partner_id
        partners |= partners.commercial_partner_id.child_ids
        return {canonical_email(email) for email in partners.mapped("email")} - {None}

    def _ecrm_portal_home_blocks(self):
        return [
            *super()._ecrm_portal_home_blocks(),
            {
                "key": "rewards",
                "name": self.env._("My rewards"),
                "sequence": 25,
                "template": "ecrm_loyalty.ecrm_my_rewards_block",
            },
        ]

    def _ecrm_loyalty_rewards(self):
        """What "My rewards" shows to this customer (a commercial partner):
        their level in the current company and their valid personal coupons.
        Reads with sudo, restricted to this one customer."""
        self.ensure_one()
        profile = (
            self.env["ecrm.profile"]
            .sudo()
            .search(
                [
                    ("partner_id", "=", self.id),
                    ("company_id", "=", self.env.company.id),
                ],
                limit=1,
            )
        )
        today = fields.Date.context_today(self)
        coupons = (
            self.env["loyalty.card"]
            .sudo()
            .search(
                [
                    ("partner_id", "=", self.id),
                    ("ecrm_bound", "=", True),
                    ("points", ">", 0),
                    ("program_id.active", "=", True),
                    "|",
                    ("expiration_date", "=", False),
                    ("expiration_date", ">=", today),
                ],
                order="expiration_date, id",
            )
        )
        coupons = coupons.filtered(
            lambda card: (
                card.points
                >= min(card.program_id.reward_ids.mapped("required_points") or [0])
            )
        )
        referral = (
            self.env["ecrm.coupon.rule"]
            .sudo()
            .search(
                [
                    ("trigger", "=", "referral"),
                    ("company_id", "=", self.env.company.id),
                ],
                limit=1,
            )
        )
        return {
            "level": profile.level_id,
            "coupons": coupons,
            "referral_code": referral and self._ecrm_get_referral_code(),
        }
