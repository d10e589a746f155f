from . import collection_case_log_call
from . import collection_case_agreement
from . import collection_case_send_link
