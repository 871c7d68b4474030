from . import test_help
from . import test_home
from . import test_level_progress
from . import test_tracking
from . import test_tracking_portal
from . import test_webhook
from . import test_guest_lookup
from . import test_nps
