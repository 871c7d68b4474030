from . import ecrm_service
from . import ecrm_level
from . import res_partner
