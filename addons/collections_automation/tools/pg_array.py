"""Python lists passed to PostgreSQL as one array literal.

psycopg2 sends a list as ``ARRAY[1, 2, ...]``: it adapts every element in
turn (0.46 s for 200,000 ids, measured) and the server parses each as a
constant of the query. A planning of 50,000 customers passes some two
million values to its bulk statements; as the text ``'{1,2,...}'``, cast
in the query (``%s::int[]``), they cost the client a join and the server
one ``array_in`` each (200,000 ids: 2 ms instead of 0.46 s to send, 57 ms
instead of 146 ms to read).

    >>> pg_array([1, None, 3])
    '{1,NULL,3}'
    >>> pg_array(['a "b"', 'NULL', '', None])
    '{"a \\\\"b\\\\"","NULL","",NULL}'
"""

import datetime
from decimal import Decimal


def _text(value):
    # a NUL byte is refused when the literal is sent, as in any text
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


#: How each type of element is written; any other is written as text.
_FORMATS = {
    type(None): lambda value: "NULL",
    bool: lambda value: "t" if value else "f",
    int: str,
    float: str,
    Decimal: str,
    datetime.datetime: lambda value: f'"{value.isoformat(" ")}"',
    datetime.date: lambda value: f'"{value.isoformat()}"',
}


def pg_array(values):
    """``values`` as a PostgreSQL array literal, to pass as one parameter
    and cast in the query (``%s::int[]``, ``%s::text[]``...): ``None`` is
    ``NULL``, text is quoted (a ``'NULL'`` or an empty text stays text)."""
    values = values if isinstance(values, list) else list(values)
    if {type(value) for value in values} <= {int}:  # ids, the usual case
        return "{" + ",".join(map(str, values)) + "}"
    return "{" + ",".join([_FORMATS.get(type(v), _text)(v) for v in values]) + "}"
