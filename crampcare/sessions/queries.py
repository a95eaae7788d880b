"""A page of a patient's past sessions, each with its routine's title and its check-in."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, or_, select

from ..extensions import db
from ..models import Checkin, Routine, WorkoutSession

PAGE_SIZE = 20


@dataclass(frozen=True)
class PastSession:
    """One row of the history: the session, the routine's title if it still exists, its check-in."""

    session: WorkoutSession
    routine_title: str | None
    checkin_id: int | None

    @property
    def seconds(self) -> int:
        """How long it ran, start to end."""
        return max(0, round((self.session.ended_at - self.session.started_at).total_seconds()))

    @property
    def steps_skipped(self) -> int:
        """Steps skipped or left when it ended."""
        return max(0, self.session.steps_total - self.session.steps_completed)


def past_sessions(
    user_id: int, after: WorkoutSession | None = None
) -> tuple[list[PastSession], bool]:
    """A page of the user's sessions, newest first, older than the session `after` (one of
    theirs); and whether more follow."""
    query = select(WorkoutSession).where(WorkoutSession.user_id == user_id)
    if after is not None:
        query = query.where(
            or_(
                WorkoutSession.started_at < after.started_at,
                and_(WorkoutSession.started_at == after.started_at, WorkoutSession.id < after.id),
            )
        )
    query = query.order_by(WorkoutSession.started_at.desc(), WorkoutSession.id.desc())
    sessions = db.session.scalars(query.limit(PAGE_SIZE + 1)).all()
    page, has_more = sessions[:PAGE_SIZE], len(sessions) > PAGE_SIZE
    return _with_titles_and_checkins(user_id, page), has_more


def _with_titles_and_checkins(user_id: int, sessions) -> list[PastSession]:
    """Two queries for the whole page: the routines' titles and the sessions' check-ins."""
    slugs = {session.routine_slug for session in sessions}
    ids = [session.id for session in sessions]
    titles = dict(
        db.session.execute(
            select(Routine.slug, Routine.title).where(
                Routine.slug.in_(slugs),
                or_(Routine.owner_id.is_(None), Routine.owner_id == user_id),
            )
        ).all()
    )
    checkins: dict[int, int] = {}
    for session_id, checkin_id in db.session.execute(
        select(Checkin.session_id, Checkin.id)
        .where(Checkin.user_id == user_id, Checkin.session_id.in_(ids))
        .order_by(Checkin.id)
    ):
        checkins.setdefault(session_id, checkin_id)
    return [
        PastSession(session, titles.get(session.routine_slug), checkins.get(session.id))
        for session in sessions
    ]
