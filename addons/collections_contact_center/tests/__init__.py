from . import test_cases
