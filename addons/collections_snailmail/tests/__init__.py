from . import test_post
from . import test_wizards_in_the_web_client
