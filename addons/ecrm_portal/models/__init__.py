from . import ecrm_faq_article
from . import ecrm_faq_vote
from . import ecrm_level
from . import res_partner
from . import res_users
