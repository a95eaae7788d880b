"""What every JSON endpoint shares: reading the body, errors, create-once answers."""

from flask import abort, jsonify, make_response, request
from flask_login import current_user

from ..logbook import service
from ..operations.metrics import record_replay


def errors_response(errors: dict[str, str], status: int = 400):
    """{"errors": {field: message}} with a 400 (or the given status)."""
    return jsonify(errors=errors), status


def read_json_object() -> dict:
    """The request's JSON object, or a 400 that says what was wrong with the body."""
    body = request.get_json(silent=True)
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
    if isinstance(value, str):
        return "\x00" not in value and not any("\ud800" <= char <= "\udfff" for char in value)
    if isinstance(value, list):
        return all(_storable(item) for item in value)
    if isinstance(value, dict):
        return all(_storable(key) and _storable(item) for key, item in value.items())
    return True


def _field_name(name: str) -> str:
    return name if _storable(name) else "body"


def created_once(create, values: dict):
    """Answer a create-once write: 201 stored now, 200 stored before, 422 taken.

    200 carries the record already stored under that client_id, so an outbox may
    resend safely; 422 means the client_id names a record with other values.
    """
    try:
        saved = create(current_user.id, values)
    except service.ClientIdTaken:
        return errors_response(
            {"client_id": "This client_id was already used for a different record."}, 422
        )
    if not saved.created:
        # Sent again with a client_id already stored: an outbox replay.
        record_replay(type(saved.record).__tablename__)
    return jsonify(saved.record.to_dict()), 201 if saved.created else 200
