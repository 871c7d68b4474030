from . import ecrm_customer_mixin
from . import ecrm_feedback_mixin
from . import mail_thread
from . import ecrm_service
from . import ecrm_level
from . import ecrm_level_history
from . import ecrm_lifecycle_history
from . import ecrm_consent
from . import ecrm_profile
from . import ecrm_profile_engine
from . import res_company
from . import res_config_settings
from . import res_partner
from . import sale_order
from . import sale_order_line
from . import product_template
from . import helpdesk_ticket_channel
from . import helpdesk_ticket_team
from . import ecrm_sla_policy
from . import ecrm_routing_rule
from . import ecrm_faq_category
from . import ecrm_faq_article
from . import helpdesk_ticket
from . import res_users
from . import ecrm_interaction_log

# Last: its SQL view reads the columns the models above add.
from . import ecrm_interaction
