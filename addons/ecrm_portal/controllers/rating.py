# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from werkzeug.exceptions import BadRequest

from odoo import http
from odoo.http import request

from odoo.addons.rating.controllers.main import Rating

NPS_SCORES = [str(score) for score in range(11)]


class EcrmRating(Rating):
    @http.route()
    def action_submit_rating(self, token, rate=0, ecrm_nps=None, **kwargs):
        """The NPS answer given with a delivery's rating (0–10)."""
        if request.httprequest.method == "POST" and ecrm_nps not in (None, ""):
            if ecrm_nps not in NPS_SCORES:
                raise BadRequest(request.env._("The score must be 0 to 10."))
            rating, _record = self._get_rating_and_record(token)
            rating._ecrm_record_nps(int(ecrm_nps))
        return super().action_submit_rating(token, rate=rate, **kwargs)
