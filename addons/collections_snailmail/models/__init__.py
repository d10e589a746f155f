from . import collection_contact_gate
from . import collection_journey_step
from . import collection_message
from . import collection_planner
from . import res_partner
