"""Routes of this blueprint."""

from . import bp, csrf  # noqa: F401
