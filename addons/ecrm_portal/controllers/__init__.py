from . import help
from . import home
from . import tracking
from . import webhook
from . import lookup
from . import rating
