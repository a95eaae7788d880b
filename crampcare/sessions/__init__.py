"""The patient's past sessions: what was played, when, how far, and its check-in."""

from flask import Blueprint

bp = Blueprint("sessions", __name__)

from . import routes  # noqa: E402, F401
