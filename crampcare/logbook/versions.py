"""Each user's data version: bumped in the same transaction as any change to their log.

The dashboard's cache keys on it (dashboard/cache.py). The app factory turns the
listener on with `init_app`; importing this module changes nothing.
"""

from flask import Flask
from sqlalchemy import event, update
from sqlalchemy.orm import Session

from ..models import Checkin, User, WorkoutSession

LOGGED = (Checkin, WorkoutSession)


def bump_data_versions(session: Session, _context, _instances) -> None:
    """Whoever's check-ins or sessions this flush writes gets a new data version."""
    changed = (*session.new, *session.dirty, *session.deleted)
    owners = {record.user_id for record in changed if isinstance(record, LOGGED)}
    owners.discard(None)
    if owners:
        session.execute(
            update(User)
            .where(User.id.in_(owners))
            .values(data_version=User.data_version + 1)
            .execution_options(synchronize_session=False)
        )


def init_app(_app: Flask) -> None:
    """Bump data versions on every flush (once per process, however many apps)."""
    # SQLAlchemy sessions are process-wide; a second app must not bump twice.
    if not event.contains(Session, "before_flush", bump_data_versions):
        event.listen(Session, "before_flush", bump_data_versions)
