from . import help
from . import home
