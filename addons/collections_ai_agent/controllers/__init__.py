from . import portal_chat
