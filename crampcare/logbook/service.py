"""The one place that writes check-ins and sessions, whichever front end asks.

The no-JavaScript forms, the dashboard's inline edit, the JSON API and the offline
outbox's replays all come here. Values arrive already checked by `rules`; each
function commits, so a caller only translates its outcome into a response.
"""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import Checkin, WorkoutSession

# A page form sent without JavaScript is timed by the server at each submit, so two
# submits of one form differ in these even when the answers are the same.
WHEN_RECORDED = ("recorded_at", "recorded_offset_minutes")


class ClientIdTaken(Exception):
    """The client_id already names a record that holds other values."""


@dataclass(frozen=True)
class Saved:
    """A record written (created) or found already stored under its client_id."""

    record: Any
    created: bool


def create_checkin(user_id: int, values: dict[str, Any], *, answers_only=False) -> Saved:
    """Store a check-in once per client_id; raise ClientIdTaken if it names another.

    With `answers_only` (the page forms) a resend with the same answers is the same
    check-in, whatever time each submit was given.
    """
    return _create_once(Checkin, user_id, values, ignored=WHEN_RECORDED if answers_only else ())


def create_session(user_id: int, values: dict[str, Any]) -> Saved:
    """Store a played session once per client_id; raise ClientIdTaken if it names another."""
    return _create_once(WorkoutSession, user_id, values, ignored=())


def update_checkin(checkin: Checkin, values: dict[str, Any]) -> Checkin:
    """Replace a check-in's values with checked ones."""
    for name, value in values.items():
        setattr(checkin, name, value)
    db.session.commit()
    return checkin


def delete_checkin(checkin: Checkin) -> None:
    """Delete a check-in."""
    db.session.delete(checkin)
    db.session.commit()


def _create_once(model, user_id: int, values: dict[str, Any], ignored: tuple[str, ...]) -> Saved:
    lookup = select(model).where(model.user_id == user_id, model.client_id == values["client_id"])
    existing = db.session.scalar(lookup)
    if existing is None:
        record = model(user_id=user_id, **values)
        db.session.add(record)
        try:
            db.session.commit()
            return Saved(record, created=True)
        except IntegrityError:
            # Another request with this client_id won the race: answer as a resend.
            db.session.rollback()
            existing = db.session.scalar(lookup)
            if existing is None:
                raise
    compared = {name: value for name, value in values.items() if name not in ignored}
    if not all(getattr(existing, name) == value for name, value in compared.items()):
        raise ClientIdTaken(values["client_id"])
    return Saved(existing, created=False)
