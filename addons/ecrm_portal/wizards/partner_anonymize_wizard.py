# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models
from odoo.tools import SQL


class PartnerAnonymizeWizard(models.TransientModel):
    _inherit = "partner.anonymize.wizard"

    def _ecrm_forget(self, partners):
        """The portal's part: the tracking events' notes (carrier text, which
        can carry a name or an address), the guest lookup tries of the
        customer's orders, their FAQ votes and the comments of their ratings.
        The tracking events and the NPS scores stay, on the anonymised
        partner: they are the delivery and NPS figures of the dashboard."""
        cr = self.env.cr
        ids = partners.ids
        self.env.flush_all()
        cr.execute(
            SQL(
                "UPDATE ecrm_tracking_event SET note = NULL WHERE partner_id = ANY(%s)",
                ids,
            )
        )
        cr.execute(
            SQL(
                """
                DELETE FROM ecrm_lookup_attempt
                 WHERE key IN (SELECT unnest(ARRAY['order:' || id,
                                                   'ref:' || upper(name)])
                                 FROM sale_order
                                WHERE partner_id = ANY(%(ids)s)
                                   OR ecrm_commercial_partner_id = ANY(%(ids)s))
                """,
                ids=ids,
            )
        )
        users = (
            self.env["res.users"]
            .sudo()
            .with_context(active_test=False)
            .search([("partner_id", "in", ids)])
        )
        cr.execute(
            SQL(
                "DELETE FROM ecrm_faq_vote WHERE voter = ANY(%s)",
                [f"u:{user_id}" for user_id in users.ids],
            )
        )
        cr.execute(
            SQL(
                "UPDATE rating_rating SET feedback = NULL WHERE partner_id = ANY(%s)",
                ids,
            )
        )
        self.env.invalidate_all()
        return super()._ecrm_forget(partners)
