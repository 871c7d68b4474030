from . import helpdesk
from . import unsubscribe
