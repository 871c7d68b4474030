from . import ecrm_service
from . import ecrm_level
from . import ecrm_level_history
from . import ecrm_lifecycle_history
from . import res_company
from . import res_config_settings
from . import res_partner
from . import sale_order
