# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Selections and bounds shared by the eCRM models (one place, no imports
between model files)."""

LIFECYCLE_STAGES = [
    ("selection", "Selection"),
    ("acquisition", "Acquisition"),
    ("retention", "Retention"),
    ("extension", "Extension"),
    ("at_risk", "At risk"),
    ("churned", "Churned"),
]

RFM_SEGMENTS = [
    ("champions", "Champions"),
    ("loyal", "Loyal"),
    ("potential_loyalist", "Potential loyalist"),
    ("new", "New"),
    ("promising", "Promising"),
    ("need_attention", "Need attention"),
    ("about_to_sleep", "About to sleep"),
    ("at_risk", "At risk"),
    ("cant_lose", "Can't lose"),
    ("hibernating", "Hibernating"),
    ("lost", "Lost"),
]

CONTACT_CHANNELS = [
    ("email", "Email"),
    ("sms", "SMS"),
    ("phone", "Phone"),
    ("post", "Post"),
    ("portal", "Portal"),
]

LEVEL_CHANGE_REASONS = [
    ("rule", "Rule"),
    ("grace", "Grace period over"),
    ("manual", "Manual"),
]

# The longest period (days) a setting or a level rule may span: 100 years.
# Longer ones mean "never" and would overflow date arithmetic.
MAX_DAYS = 36500
# The at-risk factor multiplies a customer's usual interval between orders.
MAX_AT_RISK_FACTOR = 100
# The CLV horizon, in years.
MAX_HORIZON_YEARS = 100
