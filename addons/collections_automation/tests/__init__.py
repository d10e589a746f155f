from . import test_refresh, test_security
