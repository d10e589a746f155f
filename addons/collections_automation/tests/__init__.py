from . import test_contact_policy
from . import test_cycle
from . import test_dispatch
from . import test_promise
from . import test_refresh
from . import test_security
from . import test_webhooks
