# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError

# The scheduled recompute runs at most every 15 minutes and at least monthly.
SHORTEST_INTERVAL = relativedelta(minutes=15)
LONGEST_INTERVAL = relativedelta(months=1)


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    ecrm_window_days = fields.Integer(
        related="company_id.ecrm_window_days", readonly=False
    )
    ecrm_acquisition_days = fields.Integer(
        related="company_id.ecrm_acquisition_days", readonly=False
    )
    ecrm_at_risk_factor = fields.Float(
        related="company_id.ecrm_at_risk_factor", readonly=False
    )
    ecrm_churn_days = fields.Integer(
        related="company_id.ecrm_churn_days", readonly=False
    )
    ecrm_extension_categories = fields.Integer(
        related="company_id.ecrm_extension_categories", readonly=False
    )
    ecrm_downgrade_grace_days = fields.Integer(
        related="company_id.ecrm_downgrade_grace_days", readonly=False
    )
    ecrm_clv_horizon_years = fields.Float(
        related="company_id.ecrm_clv_horizon_years", readonly=False
    )
    ecrm_consent_required = fields.Boolean(
        related="company_id.ecrm_consent_required", readonly=False
    )
    ecrm_prediction_horizon_days = fields.Integer(
        related="company_id.ecrm_prediction_horizon_days", readonly=False
    )
    ecrm_clv_refit_days = fields.Integer(
        related="company_id.ecrm_clv_refit_days", readonly=False
    )
    ecrm_clv_min_customers = fields.Integer(
        related="company_id.ecrm_clv_min_customers", readonly=False
    )
    ecrm_clv_min_repeaters = fields.Integer(
        related="company_id.ecrm_clv_min_repeaters", readonly=False
    )
    ecrm_at_risk_churn_threshold = fields.Float(
        related="company_id.ecrm_at_risk_churn_threshold", readonly=False
    )
    ecrm_clv_last_fit_id = fields.Many2one(
        "ecrm.clv.model", compute="_compute_ecrm_clv_last_fit_id"
    )
    ecrm_clv_last_fit_state = fields.Selection(related="ecrm_clv_last_fit_id.state")
    ecrm_clv_last_fit_message = fields.Text(related="ecrm_clv_last_fit_id.message")
    ecrm_clv_last_fit_as_of = fields.Date(related="ecrm_clv_last_fit_id.as_of")

    @api.depends("company_id")
    def _compute_ecrm_clv_last_fit_id(self):
        for settings in self:
            settings.ecrm_clv_last_fit_id = self.env["ecrm.clv.model"].search(
                [("company_id", "=", settings.company_id.id)], limit=1
            )

    def action_ecrm_clv_fit(self):
        """Ask for a fit of the company's predictive model now: the scheduler
        does it (reading every order takes seconds on a large shop)."""
        self.ensure_one()
        self.env["ecrm.clv.model"].check_access("read")
        self.company_id.sudo().ecrm_clv_fit_requested = True
        self.env.ref("ecrm_core.ir_cron_ecrm_clv_fit").sudo()._trigger()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "info",
                "message": self.env._(
                    "The predictive model is being fitted in the background; "
                    "the list of fits shows the result."
                ),
            },
        }

    ecrm_last_run = fields.Datetime(related="company_id.ecrm_last_run")
    ecrm_last_run_error = fields.Text(related="company_id.ecrm_last_run_error")
    ecrm_recompute_interval_number = fields.Integer(
        string="Recompute every",
        compute="_compute_ecrm_recompute_interval",
        inverse="_inverse_ecrm_recompute_interval",
    )
    ecrm_recompute_interval_type = fields.Selection(
        # the cron's own units, so any interval set on the cron shows here
        selection=lambda self: self.env["ir.cron"]._fields["interval_type"].selection,
        compute="_compute_ecrm_recompute_interval",
        inverse="_inverse_ecrm_recompute_interval",
    )

    def _ecrm_recompute_cron(self):
        return self.env.ref("ecrm_core.ir_cron_ecrm_recompute").sudo()

    @api.depends("company_id")
    def _compute_ecrm_recompute_interval(self):
        cron = self._ecrm_recompute_cron()
        for settings in self:
            settings.ecrm_recompute_interval_number = cron.interval_number
            settings.ecrm_recompute_interval_type = cron.interval_type

    def _inverse_ecrm_recompute_interval(self):
        for settings in self:
            number = settings.ecrm_recompute_interval_number
            if number < 1:
                raise ValidationError(
                    self.env._("The eCRM recompute interval must be at least 1.")
                )
            start = fields.Datetime.now()
            interval = relativedelta(
                **{settings.ecrm_recompute_interval_type or "days": number}
            )
            if not (
                start + SHORTEST_INTERVAL
                <= start + interval
                <= start + LONGEST_INTERVAL
            ):
                raise ValidationError(
                    self.env._(
                        "The eCRM recompute runs at most every 15 minutes and at "
                        "least once a month."
                    )
                )
            settings._ecrm_recompute_cron().write(
                {
                    "interval_number": settings.ecrm_recompute_interval_number,
                    "interval_type": settings.ecrm_recompute_interval_type,
                }
            )
