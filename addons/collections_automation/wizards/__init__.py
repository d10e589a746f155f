from . import collection_manual_reminder
from . import collection_send_reminder
from . import collection_record_promise
from . import collection_put_on_hold
from . import collection_send_statement
from . import collection_print_letter
