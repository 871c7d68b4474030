from . import im_livechat_channel_rule
from . import im_livechat_channel
from . import helpdesk_ticket
from . import discuss_channel
from . import chatbot_script_step
from . import res_users

# Last: its SQL view reads the columns the models above add.
from . import ecrm_interaction
