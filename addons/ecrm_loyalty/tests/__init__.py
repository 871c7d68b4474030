from . import test_coupon_rule
from . import test_coupon_triggers
from . import test_coupon_security
from . import test_concurrency
from . import test_portal
from . import test_tiers
from . import test_bulk_mail
from . import test_personal_products
from . import test_unsubscribe
from . import test_forget

from . import test_coupon_predictive
