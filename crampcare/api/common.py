"""What every JSON endpoint shares: the body, errors, patients only, create-once answers."""

from functools import wraps

from flask import abort, jsonify, make_response, request
from flask_login import current_user

from ..logbook import service
from ..operations.metrics import record_replay


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
