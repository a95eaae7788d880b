"""What every JSON endpoint shares: reading the body, errors, instants, create-once."""

from datetime import datetime

from flask import abort, jsonify, make_response, request
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..extensions import db


def errors_response(errors: dict[str, str], status: int = 400):
    """{"errors": {field: message}} with a 400 (or the given status)."""
    return jsonify(errors=errors), status


def read_json_object() -> dict:
    """The request's JSON object, or a 400 that says what was wrong with the body."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(make_response(errors_response({"body": "Send a JSON object."})))
    return body


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
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        errors[field] = message
        return None
    return parsed


def _same_values(record, values: dict) -> bool:
    return all(getattr(record, name) == value for name, value in values.items())


def create_once(model, values: dict):
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
    if _same_values(existing, values):
        return jsonify(existing.to_dict()), 200
    return errors_response(
        {"client_id": "This client_id was already used for a different record."}, 422
    )
