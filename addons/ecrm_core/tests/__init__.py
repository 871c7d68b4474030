from . import test_consent
from . import test_level
from . import test_lifecycle
from . import test_rfm
from . import test_service
from . import test_timeline
from . import test_timeline_sources
from . import test_ui
