from . import test_service
from . import test_ui
