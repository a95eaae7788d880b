"""Check-ins after a session, and cramps logged on their own."""

from flask import Blueprint

bp = Blueprint("checkins", __name__)

from . import routes  # noqa: E402, F401
