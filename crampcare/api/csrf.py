"""A fresh CSRF token for clients that hold a stale page, such as the offline outbox."""

from flask import jsonify
from flask_wtf.csrf import generate_csrf

from ..logins import account_tag
from . import bp


@bp.get("/csrf-token")
def csrf_token():
    """{"csrf_token", "account"} for this browser's session; never cached."""
    return jsonify(csrf_token=generate_csrf(), account=account_tag())
