"""Sessions played with the player: recorded once per client_id, listed newest first."""

from flask import jsonify
from flask_login import current_user, login_required

from ..extensions import db
from ..logbook import service
from ..logbook.queries import sessions_of
from ..logbook.rules import validate_session
from ..routines.queries import find_visible_routine
from . import bp
from .common import created_once, errors_response, read_json_object


def _visible(slug: str) -> bool:
    return find_visible_routine(slug) is not None


@bp.post("/sessions")
@login_required
def create_session():
    """Record a played session once; a replay of the same client_id answers the stored one."""
    values, errors = validate_session(read_json_object(), routine_visible=_visible)
    if errors:
        return errors_response(errors)
    return created_once(service.create_session, values)


@bp.get("/sessions")
@login_required
def list_sessions():
    """Your sessions, newest first."""
    sessions = db.session.scalars(sessions_of(current_user.id))
    return jsonify(items=[session.to_dict() for session in sessions])
