# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.tools import SQL


class EcrmInteraction(models.Model):
    _inherit = "ecrm.interaction"
    _depends = {
        "ecrm.tracking.event": [
            "date",
            "partner_id",
            "company_id",
            "state",
            "source",
            "picking_id",
            "order_id",
            "applied",
        ],
    }

    kind = fields.Selection(selection_add=[("tracking", "Tracking")])

    @api.model
    def _ecrm_interaction_sources(self):
        return {
            **super()._ecrm_interaction_sources(),
            # A delivery's steps: what the customer did is incoming, the rest
            # is the company (or its carrier) telling where the goods are.
            20: SQL(
                """
                SELECT te.date, te.partner_id, te.company_id,
                       CASE WHEN te.source = 'customer' THEN 'portal'
                            ELSE 'delivery' END,
                       CASE WHEN te.source = 'customer' THEN 'in' ELSE 'out' END,
                       CASE WHEN te.source = 'customer' THEN 'reactive'
                            ELSE 'proactive' END,
                       'tracking', COALESCE(sp.name, so.name) || ': ' || te.state,
                       'ecrm.tracking.event', te.id
                  FROM ecrm_tracking_event te
                  JOIN sale_order so ON so.id = te.order_id
                  LEFT JOIN stock_picking sp ON sp.id = te.picking_id
                 WHERE te.applied
                """
            ),
        }
