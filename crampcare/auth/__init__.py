"""Accounts: register, sign in and out, the profile and signed-in devices."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from . import recovery, routes  # noqa: E402, F401  (routes attach themselves to bp)
