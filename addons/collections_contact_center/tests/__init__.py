from . import test_cases
from . import test_tour
from . import test_kpis
from . import test_scripts
