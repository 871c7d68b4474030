from . import btyd
from . import btyd_sql
