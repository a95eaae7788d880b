"""Sessions played with the player: recorded once per client_id, listed newest first."""

import uuid

from flask import jsonify
from flask_login import current_user, login_required
from sqlalchemy import select

from ..extensions import db
from ..models import WorkoutSession
from ..routines.queries import find_visible_routine
from . import bp
from .common import create_once, errors_response, parse_instant, patients_only, read_json_object

FIELDS = ("client_id", "routine_slug", "started_at", "ended_at", "steps_completed", "steps_total")
MAX_STEPS = 1000


def _client_id(value) -> str | None:
    if not isinstance(value, str) or len(value) != 36:
        return None
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


def _count(value, field: str, errors: dict[str, str]) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_STEPS:
        errors[field] = f"Give a whole number from 0 to {MAX_STEPS}."
        return None
    return value


def session_values(body: dict) -> tuple[dict, dict[str, str]]:
    """Check a session body; return the values to store and a message per bad field."""
    errors: dict[str, str] = {}
    for field in set(body) - set(FIELDS):
        errors[field] = "This field is not part of a session."
    client_id = _client_id(body.get("client_id"))
    if client_id is None:
        errors["client_id"] = "Give a UUID made on this device."
    slug = body.get("routine_slug")
    if not isinstance(slug, str) or find_visible_routine(slug[:80]) is None:
        errors["routine_slug"] = "Choose a routine you can see."
    started = parse_instant(body.get("started_at"), "started_at", errors)
    ended = parse_instant(body.get("ended_at"), "ended_at", errors)
    if started and ended and ended < started:
        errors["ended_at"] = "The end cannot come before the start."
    completed = _count(body.get("steps_completed"), "steps_completed", errors)
    total = _count(body.get("steps_total"), "steps_total", errors)
    if total == 0:
        errors["steps_total"] = "A session has at least one step."
    elif completed is not None and total is not None and completed > total:
        errors["steps_completed"] = "Cannot be more than steps_total."
    values = {
        "client_id": client_id,
        "routine_slug": slug,
        "started_at": started,
        "ended_at": ended,
        "steps_completed": completed,
        "steps_total": total,
    }
    return values, errors


@bp.post("/sessions")
@login_required
@patients_only
def create_session():
    """Record a played session once; a replay of the same client_id answers the stored one."""
    values, errors = session_values(read_json_object())
    if errors:
        return errors_response(errors)
    return create_once(WorkoutSession, values)


@bp.get("/sessions")
@login_required
@patients_only
def list_sessions():
    """Your sessions, newest first."""
    sessions = db.session.scalars(
        select(WorkoutSession)
        .where(WorkoutSession.user_id == current_user.id)
        .order_by(WorkoutSession.started_at.desc(), WorkoutSession.id.desc())
    )
    return jsonify(items=[session.to_dict() for session in sessions])
