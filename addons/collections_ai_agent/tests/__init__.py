from . import test_agent_conversation
from . import test_agent_llm
from . import test_agent_policy
from . import test_agent_payment_link
from . import test_portal_chat
from . import test_fee_waiver
from . import test_agent_currencies
from . import test_tour_portal_chat
