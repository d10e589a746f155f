from . import portal_chat
from . import portal_invoice
