from . import webhook
from . import payment
from . import statement
