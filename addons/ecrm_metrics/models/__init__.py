from . import ecrm_dashboard
from . import ecrm_metrics_order_day
from . import ecrm_metrics_ticket_day
from . import ecrm_metrics_delivery_day
from . import ecrm_metrics_profile_day
from . import ecrm_metrics_segment_history
from . import res_company
from . import res_users
