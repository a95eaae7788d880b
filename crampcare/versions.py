"""Each user's data version: bumped in the same transaction as any change to their log."""

from sqlalchemy import event, update
from sqlalchemy.orm import Session

from .models import Checkin, User, WorkoutSession

LOGGED = (Checkin, WorkoutSession)


@event.listens_for(Session, "before_flush")
def _bump_data_versions(session: Session, _context, _instances) -> None:
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
