# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models


class EcrmFeedbackMixin(models.AbstractModel):
    """Asks the customer to rate an interaction (a closed ticket, a delivery)
    with Odoo's ratings, by a queued email they answer without logging in.
    The record's model must also inherit ``rating.mixin``."""

    _name = "ecrm.feedback.mixin"
    _description = "eCRM Feedback Request"

    def _ecrm_request_rating(self, template):
        """One request per record, to a customer who agreed to be emailed by
        the record's company (not the current one: a mail gateway or a cron
        runs in any company)."""
        for record in self:
            if record.rating_ids:
                continue
            partner = record._rating_get_partner()
            if "company_id" in record._fields and record.company_id:
                partner = partner.with_company(record.company_id)
            if partner and partner._ecrm_has_consent("email"):
                record.rating_send_request(
                    template, lang=partner.lang, force_send=False
                )
