# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models


class EcrmFeedbackMixin(models.AbstractModel):
    """Asks the customer to rate an interaction (a closed ticket, a delivery)
    with Odoo's ratings, by a queued email they answer without logging in.
    The record's model must also inherit ``rating.mixin``."""

    _name = "ecrm.feedback.mixin"
    _description = "eCRM Feedback Request"

    def _ecrm_request_rating(self, template):
        for record in self:
            partner = record._rating_get_partner()
            if partner and partner._ecrm_has_consent("email"):
                record.rating_send_request(
                    template, lang=partner.lang, force_send=False
                )
