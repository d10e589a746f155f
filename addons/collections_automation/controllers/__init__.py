from . import webhook
from . import payment
