"""Routes of this blueprint."""

from . import bp, sessions  # noqa: F401
