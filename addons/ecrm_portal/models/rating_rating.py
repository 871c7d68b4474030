# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models


class RatingRating(models.Model):
    _inherit = "rating.rating"

    def _ecrm_nps_delivery(self):
        """The delivery whose rating page asks the NPS question (the company
        asks it, and the customer has not answered it for this rating)."""
        self.ensure_one()
        if self.res_model != "stock.picking":
            return self.env["stock.picking"]
        delivery = self.env["stock.picking"].sudo().browse(self.res_id).exists()
        answered = (
            self.env["ecrm.nps.answer"]
            .sudo()
            .search_count([("rating_id", "=", self.id)], limit=1)
        )
        if not delivery.company_id.ecrm_nps_enabled or answered:
            return self.env["stock.picking"]
        return delivery

    def _ecrm_record_nps(self, score):
        self.ensure_one()
        delivery = self._ecrm_nps_delivery()
        if delivery:
            self.env["ecrm.nps.answer"].sudo().create(
                {
                    "partner_id": delivery.sale_id.partner_id.commercial_partner_id.id
                    or self.partner_id.commercial_partner_id.id,
                    "company_id": delivery.company_id.id,
                    "score": score,
                    "picking_id": delivery.id,
                    "rating_id": self.id,
                }
            )
