"""Routines: the library, a patient's own routines, and the session player."""

from flask import Blueprint

bp = Blueprint("routines", __name__)

from . import routes  # noqa: E402, F401
