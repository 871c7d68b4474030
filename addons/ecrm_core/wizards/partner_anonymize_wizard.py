# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models
from odoo.tools import SQL


class PartnerAnonymizeWizard(models.TransientModel):
    """OCA's "right to be forgotten" wizard also erases what the eCRM suite
    holds about the partners it forgets. Each addon erases its own data in
    ``_ecrm_forget`` (returning ``super()``'s); orders and invoices stay, on the
    anonymised partner, and so do the figures derived from them."""

    _inherit = "partner.anonymize.wizard"

    def action_confirm(self):
        # after OCA's part (which checks the user's right first), so that what
        # is recomputed from the partner reads its anonymised values; read
        # before it, since it archives them
        partners = self.partner_ids
        result = super().action_confirm()
        self._ecrm_forget(partners)
        return result

    def _ecrm_forget(self, partners):
        """Erase the eCRM data of ``partners``, set-based. The histories are
        append-only for everyone else (their ORM delete refuses): forgetting
        is the one exception, hence plain SQL, then the cache is dropped."""
        cr = self.env.cr
        ids = partners.ids
        self.env.flush_all()
        # free text about the customer; the figures are a function of the
        # orders, which stay, and the next engine run would rebuild them
        cr.execute(
            SQL(
                "UPDATE ecrm_profile SET level_pin_reason = NULL"
                " WHERE partner_id = ANY(%s)",
                ids,
            )
        )
        for table in (
            "ecrm_level_history",
            "ecrm_lifecycle_history",
            "ecrm_interaction_log",
        ):
            cr.execute(
                SQL(
                    "DELETE FROM %s WHERE partner_id = ANY(%s)",
                    SQL.identifier(table),
                    ids,
                )
            )
        # Consents: the current answer per channel (state, date, source) is
        # the proof that the company may or may not write to this address;
        # its history and the free note go.
        consents = self.env["ecrm.consent"].sudo().search([("partner_id", "in", ids)])
        self.env["mail.message"].sudo().search(
            [("model", "=", "ecrm.consent"), ("res_id", "in", consents.ids)]
        ).unlink()
        cr.execute(
            SQL("UPDATE ecrm_consent SET note = NULL WHERE partner_id = ANY(%s)", ids)
        )
        # what colleagues planned about them (free text), requests included
        self.env["mail.activity"].sudo().search(
            [("res_model", "=", "res.partner"), ("res_id", "in", ids)]
        ).unlink()
        # the tickets stay (the service's counts and SLA figures), without the
        # name and address of the person who wrote them
        self.env["helpdesk.ticket"].sudo().with_context(
            active_test=False, tracking_disable=True
        ).search([("partner_id", "in", ids)]).write(
            {"partner_name": False, "partner_email": False}
        )
        self.env.invalidate_all()
