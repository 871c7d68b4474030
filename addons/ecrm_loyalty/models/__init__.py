from . import ecrm_coupon_rule
from . import ecrm_coupon_issue
from . import ecrm_coupon_engine
from . import ecrm_profile_engine
from . import ecrm_interaction
from . import loyalty_card
from . import res_partner
from . import sale_order
