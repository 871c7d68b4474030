from . import help
from . import home
from . import tracking
