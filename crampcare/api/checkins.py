"""Check-ins over JSON: create once, list by date, patch, delete."""

from datetime import UTC, date
from functools import partial

from flask import jsonify, request
from flask_login import current_user, login_required

from ..extensions import db
from ..local_time import ONE_DAY, local_day_start, parse_instant
from ..logbook import service
from ..logbook.queries import check_session_owner, checkins_of, get_checkin_or_404, stored_values
from ..logbook.rules import validate_checkin
from ..models import utcnow
from . import bp
from .common import created_once, errors_response, read_json_object


@bp.post("/checkins")
@login_required
def create_checkin():
    """Save a check-in (201); the same client_id again answers the stored one (200)."""
    body = read_json_object()
    now = utcnow()
    values, errors = validate_checkin(body, now=now, default_time=now)
    check_session_owner(values, errors)
    if errors:
        return errors_response(errors)
    # Without recorded_at the server's clock stands in, so a replay is judged on the rest.
    untimed = body.get("recorded_at") is None
    return created_once(partial(service.create_checkin, answers_only=untimed), values)


@bp.get("/checkins")
@login_required
def list_checkins():
    """Your check-ins, newest first, optionally from `since` and up to `until`."""
    errors: dict[str, str] = {}
    since = _bound(request.args.get("since"), "since", errors)
    until = _bound(request.args.get("until"), "until", errors, end_of_day=True)
    if errors:
        return errors_response(errors)
    checkins = db.session.scalars(checkins_of(current_user.id, since, until))
    return jsonify(items=[checkin.to_dict() for checkin in checkins])


@bp.patch("/checkins/<int:checkin_id>")
@login_required
def update_checkin(checkin_id: int):
    """Change some fields of a check-in; the whole result must still meet the rules."""
    checkin = get_checkin_or_404(checkin_id)
    body = read_json_object()
    values, errors = validate_checkin(body, now=utcnow(), current=stored_values(checkin))
    check_session_owner(values, errors)
    if errors:
        return errors_response(errors)
    return jsonify(service.update_checkin(checkin, values).to_dict())


@bp.delete("/checkins/<int:checkin_id>")
@login_required
def delete_checkin(checkin_id: int):
    """Delete a check-in (204)."""
    service.delete_checkin(get_checkin_or_404(checkin_id))
    return "", 204


def _bound(raw: str | None, field: str, errors: dict[str, str], end_of_day: bool = False):
    """A date (a whole local day) or a date-time; `until` is exclusive after its day."""
    if raw is None or raw == "":
        return None
    message = "Give a date (2026-03-01) or a date and time with its offset."
    try:
        if len(raw) == 10:
            day = date.fromisoformat(raw)
            return local_day_start(day + ONE_DAY if end_of_day else day, current_user.timezone)
        return parse_instant(raw).astimezone(UTC)
    except (ValueError, OverflowError):
        # OverflowError: the calendar's edges (no day after 9999-12-31, no UTC before 0001).
        errors[field] = message
        return None
