# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models
from odoo.tools import SQL

from ..models.ecrm_coupon_issue import DRAW_TABLE


class PartnerAnonymizeWizard(models.TransientModel):
    _inherit = "partner.anonymize.wizard"

    def _ecrm_forget(self, partners):
        """The loyalty part: the coupon mails (name, address, products they
        were drawn with), the draws still waiting for a coupon (it would be
        mailed to them) and the website visits of the web activity. The
        coupon issues and the coupons stay: the rules' results and the
        dashboard count them."""
        ids = partners.ids
        issues = (
            self.env["ecrm.coupon.issue"].sudo().search([("partner_id", "in", ids)])
        )
        issues.mail_id.unlink()
        self.env["mail.message"].sudo().search(
            [("model", "=", "loyalty.card"), ("res_id", "in", issues.card_id.ids)]
        ).unlink()
        self.env.cr.execute(
            SQL(
                "DELETE FROM %s WHERE partner_id = ANY(%s)",
                SQL.identifier(DRAW_TABLE),
                ids,
            )
        )
        self.env["website.visitor"].sudo().with_context(active_test=False).search(
            [("partner_id", "in", ids)]
        ).unlink()
        return super()._ecrm_forget(partners)
