"""The JSON API used by the player, the offline outbox and other clients."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api")

from . import routes  # noqa: E402, F401
