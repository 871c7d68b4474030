# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import math

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .ecrm_selection import MAX_AT_RISK_FACTOR, MAX_DAYS, MAX_HORIZON_YEARS

MANAGER = "ecrm_core.group_ecrm_manager"

# Setting -> (lowest, highest) value; the lowest is excluded when it is 0.0
# (a factor must be positive). Mirrors the SQL checks below, with a message
# that names the setting.
SETTING_BOUNDS = {
    "ecrm_window_days": (1, MAX_DAYS),
    "ecrm_acquisition_days": (1, MAX_DAYS),
    "ecrm_churn_days": (1, MAX_DAYS),
    "ecrm_downgrade_grace_days": (0, MAX_DAYS),
    "ecrm_extension_categories": (1, 1000),
    "ecrm_at_risk_factor": (0.0, MAX_AT_RISK_FACTOR),
    "ecrm_clv_horizon_years": (0, MAX_HORIZON_YEARS),
    "ecrm_prediction_horizon_days": (1, MAX_DAYS),
    "ecrm_clv_refit_days": (0, MAX_DAYS),
    "ecrm_clv_min_customers": (1, 10**9),
    "ecrm_clv_min_repeaters": (1, 10**9),
    "ecrm_at_risk_churn_threshold": (0, 100),
}


class ResCompany(models.Model):
    _inherit = "res.company"

    ecrm_window_days = fields.Integer(
        string="eCRM window (days)",
        default=365,
        help="Frequency, monetary value and the revenue and order thresholds of "
        "the levels are counted over this many days.",
    )
    ecrm_acquisition_days = fields.Integer(
        string="Acquisition period (days)",
        default=90,
        help="A customer whose only order is this recent is being acquired; a "
        "one-time buyer who does not come back within it is at risk.",
    )
    ecrm_at_risk_factor = fields.Float(
        string="At-risk factor",
        default=2.0,
        help="A repeat customer is at risk after this many times their usual "
        "interval between orders without ordering.",
    )
    ecrm_churn_days = fields.Integer(
        string="Churned after (days)",
        default=365,
        help="A customer with no order for this many days has churned.",
    )
    ecrm_extension_categories = fields.Integer(
        string="Extension categories",
        default=3,
        help="A repeat customer who bought in at least this many product "
        "categories is in the extension stage.",
    )
    ecrm_downgrade_grace_days = fields.Integer(
        string="Downgrade grace (days)",
        default=30,
        help="A customer keeps their level while below its rule for this many "
        "days before being downgraded.",
    )
    ecrm_clv_horizon_years = fields.Float(
        string="CLV horizon (years)",
        default=3.0,
        help="Expected remaining customer lifetime used by the CLV estimate.",
    )
    # Predictive customer value (ecrm.clv.model)
    ecrm_prediction_horizon_days = fields.Integer(
        string="Prediction horizon (days)",
        default=365,
        help="Expected orders, churn risk and next order date look this far ahead.",
    )
    ecrm_clv_refit_days = fields.Integer(
        string="Refit the model every (days)",
        default=7,
        help="The nightly run fits the predictive model again when its last "
        "fit is this old; 0 never refits by itself.",
    )
    ecrm_clv_min_customers = fields.Integer(
        string="Minimum customers to fit",
        default=200,
        help="Below this many customers with an order, or the minimum repeat "
        "customers, the rules of thumb stay in use.",
    )
    ecrm_clv_min_repeaters = fields.Integer(
        string="Minimum repeat customers to fit", default=50
    )
    ecrm_at_risk_churn_threshold = fields.Float(
        string="At risk above churn risk (%)",
        help="With a predictive model, a customer is at risk when the "
        "probability of no order within the prediction horizon is at least "
        "this; 0 keeps the rule of thumb (days without an order against the "
        "usual interval).",
    )
    ecrm_clv_fit_requested = fields.Boolean(readonly=True, groups=MANAGER)
    ecrm_clv_model_id = fields.Many2one(
        "ecrm.clv.model",
        string="Predictive model in use",
        readonly=True,
        groups=MANAGER,
        help="The latest fitted model: the profiles' predictive figures use it.",
    )
    ecrm_consent_required = fields.Boolean(
        string="Require explicit consent",
        help="Contact customers only on channels they opted in to. Otherwise "
        "they may be contacted until they opt out.",
    )
    # Quintile boundaries of the last full recompute: {"r": [..], "f": [..], "m": [..]}
    # (four cut points each), used to score one customer between full recomputes.
    # The engine's state and errors tell the customers' revenue distribution:
    # eCRM managers only (the engine reads them as superuser).
    ecrm_rfm_cuts = fields.Json(
        string="RFM quintile boundaries", readonly=True, groups=MANAGER
    )
    # The extension threshold the stored lifecycle stages were decided with: a
    # full recompute recounts every customer's categories when it changed.
    ecrm_extension_counted = fields.Integer(readonly=True, groups=MANAGER)

    # Progress of the scheduled recompute, company by company (see
    # ecrm.profile._ecrm_cron_recompute).
    ecrm_last_run = fields.Datetime(
        string="Last eCRM recompute", readonly=True, groups=MANAGER
    )
    ecrm_last_run_error = fields.Text(
        string="Last eCRM recompute error", readonly=True, groups=MANAGER
    )

    _sql_constraints = [
        (
            "ecrm_settings_positive",
            (
                "CHECK(ecrm_window_days > 0 AND ecrm_acquisition_days > 0 "
                "AND ecrm_at_risk_factor > 0 AND ecrm_churn_days > 0 "
                "AND ecrm_extension_categories > 0 AND ecrm_downgrade_grace_days >= 0 "
                "AND ecrm_clv_horizon_years >= 0)"
            ),
            "eCRM windows, thresholds and factors must be positive.",
        ),
        (
            "ecrm_settings_bounded",
            (
                f"CHECK(ecrm_window_days <= {MAX_DAYS} "
                f"AND ecrm_acquisition_days <= {MAX_DAYS} "
                f"AND ecrm_churn_days <= {MAX_DAYS} "
                f"AND ecrm_downgrade_grace_days <= {MAX_DAYS} "
                f"AND ecrm_at_risk_factor <= {MAX_AT_RISK_FACTOR} "
                f"AND ecrm_clv_horizon_years <= {MAX_HORIZON_YEARS} "
                f"AND ecrm_extension_categories <= 1000)"
            ),
            (
                f"eCRM periods are at most {MAX_DAYS} days (100 years), the at-risk "
                f"factor at most {MAX_AT_RISK_FACTOR}, the CLV horizon at most "
                f"{MAX_HORIZON_YEARS} years and the extension categories at most 1000."
            ),
        ),
    ]

    @api.constrains(*SETTING_BOUNDS)
    def _check_ecrm_settings_bounded(self):
        for company in self:
            for fname, (low, high) in SETTING_BOUNDS.items():
                value = company[fname]
                positive = isinstance(low, float)
                if (
                    math.isfinite(value)
                    and (low < value if positive else low <= value)
                    and value <= high
                ):
                    continue
                setting = self._fields[fname].get_description(self.env)["string"]
                if positive:
                    message = self.env._(
                        "%(setting)s must be above 0 and at most %(high)s.",
                        setting=setting,
                        high=high,
                    )
                else:
                    message = self.env._(
                        "%(setting)s must be between %(low)s and %(high)s.",
                        setting=setting,
                        low=low,
                        high=high,
                    )
                raise ValidationError(message)

    def _ecrm_tz(self):
        """The company's time zone (its address's), UTC when it has none: the
        eCRM engine's "today" and the day of each order are in this zone."""
        self.ensure_one()
        return self.partner_id.tz or "UTC"
