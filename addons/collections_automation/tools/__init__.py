from .pg_array import pg_array
