from . import collection_print_letter
