# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models


class EcrmMetricsStream(models.AbstractModel):
    """The stream of orders a snapshot row counts: every order (no channel,
    no level), those of one channel, or those confirmed at one level; the
    dashboard's filters read the rows of their stream."""

    _name = "ecrm.metrics.stream"
    _description = "eCRM Stream of Orders of a Snapshot"

    channel = fields.Selection(
        selection="_selection_channel",
        string="eCRM channel",
        readonly=True,
        help="The orders of this channel only; empty: of every channel.",
    )
    level_id = fields.Many2one(
        "ecrm.level",
        string="Level at confirmation",
        readonly=True,
        ondelete="cascade",
        help="The orders confirmed at this level only; empty: at any level.",
    )

    @api.model
    def _selection_channel(self):
        return self.env["sale.order"]._fields["ecrm_channel"].selection
