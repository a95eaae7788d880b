"""The app shell: landing page, health check, and (later) manifest and service worker."""

from flask import Blueprint

bp = Blueprint("pwa", __name__)

from . import routes  # noqa: E402, F401
