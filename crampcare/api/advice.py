"""Advice over JSON: the rules read the last window of the signed-in user's log."""

from flask import jsonify
from flask_login import current_user, login_required

from ..logbook.queries import advice_for
from . import bp


@bp.get("/advice")
@login_required
def advice():
    """The advice items for the window ending today, most pressing first."""
    config, items = advice_for(current_user)
    return jsonify(window_days=config.window_days, items=[item.to_dict() for item in items])
