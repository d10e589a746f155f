from . import test_contact_policy, test_cycle, test_promise, test_refresh, test_security
