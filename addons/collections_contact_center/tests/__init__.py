from . import test_cases
from . import test_tour
from . import test_kpis
from . import test_scripts
from . import test_roles
from . import test_contact_gate_calls
from . import test_amounts
