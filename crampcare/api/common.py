"""What every JSON endpoint shares: reading the body, errors, instants, create-once."""

from datetime import UTC, datetime
from functools import wraps

from flask import abort, jsonify, make_response, request
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..extensions import db


def patients_only(view):
    """403 for clinicians: check-ins and sessions are a patient's own log (SPEC §10).

    For the lists and for creating; a URL naming one record answers 404 as for
    anyone else's record (a clinician owns none).
    """

    @wraps(view)
    def guarded(*args, **kwargs):
        if current_user.is_authenticated and not current_user.is_patient:
            return errors_response({"role": "Only patients keep check-ins and sessions."}, 403)
        return view(*args, **kwargs)

    return guarded


def errors_response(errors: dict[str, str], status: int = 400):
    """{"errors": {field: message}} with a 400 (or the given status)."""
    return jsonify(errors=errors), status


def read_json_object() -> dict:
    """The request's JSON object, or a 400 that says what was wrong with the body."""
    try:
        body = request.get_json(silent=True)
    except RecursionError:
        # Nested past the interpreter's limit (about 1,000 levels): the decoder's own
        # error escapes `silent`. No record of ours nests, so such a body is refused.
        body = None
    if not isinstance(body, dict):
        abort(make_response(errors_response({"body": "Send a JSON object."})))
    unstorable = {
        _field_name(name): "Text may not hold NUL characters or unpaired surrogates."
        for name, value in body.items()
        if not _storable(name) or not _storable(value)
    }
    if unstorable:
        abort(make_response(errors_response(unstorable)))
    return body


def _storable(value) -> bool:
    """True when every string in a JSON value can be stored as text by any database.

    JSON escapes can carry NUL and lone surrogates: PostgreSQL refuses NUL
    in text and neither database can encode a lone surrogate as UTF-8.
    """
    # A walk with a list, not recursion: a body may nest as deep as the decoder allows.
    waiting = [value]
    while waiting:
        item = waiting.pop()
        if isinstance(item, str):
            if "\x00" in item or any("\ud800" <= char <= "\udfff" for char in item):
                return False
        elif isinstance(item, list):
            waiting.extend(item)
        elif isinstance(item, dict):
            waiting.extend(item.keys())
            waiting.extend(item.values())
    return True


def _field_name(name: str) -> str:
    return name if _storable(name) else "body"


def parse_instant(value, field: str, errors: dict[str, str]) -> datetime | None:
    """An ISO 8601 date-time with a UTC offset; records a message in errors otherwise."""
    message = "Give a date and time with its UTC offset, e.g. 2026-03-01T18:05:00+01:00."
    if not isinstance(value, str) or len(value) > 40:
        errors[field] = message
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        errors[field] = message
        return None
    if parsed.tzinfo is None or parsed.utcoffset() is None or not _has_utc_instant(parsed):
        errors[field] = message
        return None
    return parsed


def _has_utc_instant(moment: datetime) -> bool:
    """False at the calendar's edges, where the offset moves the time out of years 1-9999."""
    try:
        moment.astimezone(UTC)
    except OverflowError:
        return False
    return True


# The fields a check-in sent without its time gets from the server's clock.
RECORDED_TIME = ("recorded_at", "recorded_offset_minutes")


def same_values(record, values: dict, ignore: tuple[str, ...] = ()) -> bool:
    """True when the record already holds every one of these values (but those ignored)."""
    return all(
        getattr(record, name) == value for name, value in values.items() if name not in ignore
    )


def create_once(model, values: dict, ignore: tuple[str, ...] = ()):
    """Create a record of the current user once per client_id.

    The same client_id with the same values answers the stored record (200), so an
    offline outbox may send again safely; with other values it answers 422.
    """
    lookup = select(model).where(
        model.user_id == current_user.id, model.client_id == values["client_id"]
    )
    existing = db.session.scalar(lookup)
    if existing is None:
        record = model(user_id=current_user.id, **values)
        db.session.add(record)
        try:
            db.session.commit()
            return jsonify(record.to_dict()), 201
        except IntegrityError:
            # Another request with this client_id won the race: answer as a replay.
            db.session.rollback()
            existing = db.session.scalar(lookup)
    if same_values(existing, values, ignore):
        return jsonify(existing.to_dict()), 200
    return errors_response(
        {"client_id": "This client_id was already used for a different record."}, 422
    )
