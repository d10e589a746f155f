from . import test_cases
from . import test_tour
from . import test_kpis
from . import test_kpis_sql
from . import test_bulk_escalation
from . import test_roles
from . import test_contact_gate_calls
from . import test_amounts
