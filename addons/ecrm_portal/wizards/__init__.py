from . import partner_anonymize_wizard
