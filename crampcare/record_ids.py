"""Record ids: ids from URLs (whole numbers a column can hold) and ids a client makes.

A 64-bit signed integer column holds ids up to 2**63 - 1. A larger number in a path
or a query string names no record; passing it to the database would overflow its
integer type (an error, not an answer), so it is refused before any query.
"""

import uuid

from werkzeug.routing import IntegerConverter

MAX_ID = 2**63 - 1


class RecordIdConverter(IntegerConverter):
    """`<int:…>` in a route: a non-negative whole number up to MAX_ID, else a 404."""

    def __init__(self, url_map, fixed_digits=0, min=None, max=MAX_ID, signed=False):
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def record_id(text: str) -> int:
    """A query-string id (use as `type=`); raises ValueError outside 1..MAX_ID."""
    value = int(text)
    if not 1 <= value <= MAX_ID:
        raise ValueError("not a record id")
    return value


def client_uuid(value: object) -> str | None:
    """A client-made record id in its canonical UUID text, or None when it is not one."""
    if not isinstance(value, str):
        return None
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None
