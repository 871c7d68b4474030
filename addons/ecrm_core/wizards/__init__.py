from . import ecrm_level_pin_wizard
