from . import help
from . import home
from . import sale_portal
from . import tracking
from . import webhook
from . import lookup
from . import rating
from . import helpdesk
