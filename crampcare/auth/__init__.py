"""Accounts: register, confirm the email, sign in and out, the profile and signed-in devices."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from . import confirmation, recovery, routes  # noqa: E402, F401  (routes attach themselves to bp)
