"""Routes of this blueprint: each area of the API lives in its own module."""

from . import advice, bp, checkins, csrf, push, sessions, shares  # noqa: F401
