"""The patient's dashboard: advice, sessions, cramps, water, recent check-ins."""

from flask import Blueprint

bp = Blueprint("dashboard", __name__)

from . import routes  # noqa: E402, F401
