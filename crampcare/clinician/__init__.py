"""Clinicians: shared patients, their dashboards and exports."""

from flask import Blueprint

bp = Blueprint("clinician", __name__, url_prefix="/clinician")

from . import routes  # noqa: E402, F401
