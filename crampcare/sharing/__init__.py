"""The patient's side of sharing: codes, who has access, and the audit log."""

from flask import Blueprint

bp = Blueprint("sharing", __name__)

from . import routes  # noqa: E402, F401
