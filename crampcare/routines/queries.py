"""Which routines a visitor may see, and the lookups the views and the API share."""

from datetime import datetime

from flask import abort
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..logbook.queries import advice_for
from ..models import FavouriteRoutine, Routine, WorkoutSession
from ..routine_safety import urgent_items


def visible_routines():
    """Select the library routines and, when signed in, the visitor's own."""
    query = select(Routine).options(selectinload(Routine.steps))
    if current_user.is_authenticated:
        return query.where(or_(Routine.owner_id.is_(None), Routine.owner_id == current_user.id))
    return query.where(Routine.owner_id.is_(None))


def find_visible_routine(slug: str) -> Routine | None:
    """The routine with this slug if the visitor may see it, else None."""
    return db.session.scalar(visible_routines().where(Routine.slug == slug))


def get_routine_or_404(slug: str) -> Routine:
    """A library routine or one of the visitor's own; anything else is a 404."""
    routine = find_visible_routine(slug)
    if routine is None:
        abort(404)
    return routine


def get_own_routine_or_404(slug: str) -> Routine:
    """One of the signed-in visitor's own routines; library and others' routines are a 404."""
    routine = find_visible_routine(slug)
    if routine is None or routine.owner_id != current_user.id:
        abort(404)
    return routine


# The routine a first-timer is offered: short, gentle, for the lower back.
FIRST_ROUTINE = "gentle-lower-back-release"


def routine_to_start() -> Routine | None:
    """The routine the signed-in patient played last, or the gentle first one."""
    last = db.session.scalar(
        visible_routines()
        .join(WorkoutSession, WorkoutSession.routine_slug == Routine.slug)
        .where(WorkoutSession.user_id == current_user.id)
        .order_by(WorkoutSession.started_at.desc())
        .limit(1)
    )
    return last or find_visible_routine(FIRST_ROUTINE)


def favourite_ids(user_id: int) -> set[int]:
    """The ids of the routines a person starred."""
    return set(
        db.session.scalars(
            select(FavouriteRoutine.routine_id).where(FavouriteRoutine.user_id == user_id)
        )
    )


def set_favourite(user_id: int, routine_id: int, starred: bool) -> None:
    """Star or unstar a routine; asking twice for the same state changes nothing."""
    key = {"user_id": user_id, "routine_id": routine_id}
    existing = db.session.get(FavouriteRoutine, key)
    if starred and existing is None:
        db.session.add(FavouriteRoutine(**key))
    elif not starred and existing is not None:
        db.session.delete(existing)


def last_played(user_id: int) -> dict[str, datetime]:
    """When a person last started each routine they played, by the routine's slug."""
    rows = db.session.execute(
        select(WorkoutSession.routine_slug, func.max(WorkoutSession.started_at))
        .where(WorkoutSession.user_id == user_id)
        .group_by(WorkoutSession.routine_slug)
    )
    return dict(rows.all())


def visitor_conditions() -> list[str]:
    """The signed-in visitor's profile conditions; none for a visitor who is not signed in."""
    if not current_user.is_authenticated:
        return []
    return list(current_user.conditions or [])


def visitor_urgent_advice() -> list:
    """The emergency and same-day advice items that hold for the signed-in patient now."""
    if not current_user.is_authenticated or not current_user.is_patient:
        return []
    _, items = advice_for(current_user)
    return urgent_items(items)
