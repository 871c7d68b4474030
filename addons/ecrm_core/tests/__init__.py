from . import test_level
from . import test_rfm
from . import test_service
from . import test_ui
