# Copyright 2026 eCRM suite developers
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models
from odoo.tools.sql import create_index


class EcrmProfile(models.Model):
    _inherit = "ecrm.profile"

    # On the profile, beside the CLV: the CLV average of the customers active
    # in a period is one scan of the profiles, not a join of a million rows.
    ecrm_metrics_last_date = fields.Date(
        string="Last order (metrics snapshot)",
        readonly=True,
        help="The day of the customer's last confirmed order in the company at "
        "the last refresh of the eCRM metrics.",
    )

    # The CLV the return snapshot counts (its value at the last refresh):
    # what a refresh subtracts when the CLV or the customer's orders change.
    ecrm_metrics_clv = fields.Monetary(
        string="CLV (metrics snapshot)",
        readonly=True,
        help="The CLV of the customer at the last refresh of the eCRM metrics.",
    )

    def init(self):
        res = super().init()
        # the profiles the refresh has not dated yet (created since)
        create_index(
            self.env.cr,
            "ecrm_profile_ecrm_metrics_undated_index",
            self._table,
            ["company_id"],
            where="ecrm_metrics_last_date IS NULL",
        )
        return res
