from . import test_help
from . import test_home
from . import test_level_progress
