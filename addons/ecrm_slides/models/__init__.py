from . import slide_channel
from . import slide_channel_partner
from . import res_partner

# Last: its SQL view reads the columns the models above add.
from . import ecrm_interaction
