from . import ecrm_level_pin_wizard
from . import partner_anonymize_wizard
