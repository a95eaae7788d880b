"""Routes of this blueprint."""

from . import bp, shares  # noqa: F401
