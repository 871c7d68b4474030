from . import test_access
from . import test_digest
from . import test_kpis
from . import test_ui
from . import test_forget
from . import test_kpi_layer
from . import test_prediction
