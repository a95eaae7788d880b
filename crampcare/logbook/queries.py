"""Reading a patient's log: queries over check-ins and sessions, lookups, and advice."""

from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any, NamedTuple

from flask import abort, current_app
from flask_login import current_user
from sqlalchemy import Row, Select, bindparam, select

from ..advice import AdviceConfig, AdviceItem, compute_advice
from ..extensions import db
from ..local_time import window_start
from ..models import Checkin, User, WorkoutSession, utcnow
from ..operations.metrics import record_advice
from .rules import FIELDS


def checkins_of(
    user_id: int,
    since: datetime | None = None,
    until: datetime | None = None,
    columns: tuple = (),
) -> Select:
    """A user's check-ins recorded in [since, until), newest first: whole check-ins, or
    rows of only `columns`."""
    query = select(*columns) if columns else select(Checkin)
    query = query.where(Checkin.user_id == user_id)
    if since is not None:
        query = query.where(Checkin.recorded_at >= since)
    if until is not None:
        query = query.where(Checkin.recorded_at < until)
    return query.order_by(Checkin.recorded_at.desc(), Checkin.id.desc())


def sessions_of(user_id: int, since: datetime | None = None, columns: tuple = ()) -> Select:
    """A user's sessions started since a moment, newest first: whole sessions, or rows of
    only `columns`."""
    query = select(*columns) if columns else select(WorkoutSession)
    query = query.where(WorkoutSession.user_id == user_id)
    if since is not None:
        query = query.where(WorkoutSession.started_at >= since)
    return query.order_by(WorkoutSession.started_at.desc(), WorkoutSession.id.desc())


def get_checkin_or_404(checkin_id: int) -> Checkin:
    """The signed-in user's check-in, or a 404 (also when it is someone else's)."""
    checkin = db.session.get(Checkin, checkin_id)
    if checkin is None or checkin.user_id != current_user.id:
        abort(404)
    return checkin


def get_session_or_404(session_id: int) -> WorkoutSession:
    """The signed-in user's session, or a 404."""
    session = db.session.get(WorkoutSession, session_id)
    if session is None or session.user_id != current_user.id:
        abort(404)
    return session


def check_session_owner(values: dict[str, Any], errors: dict[str, str]) -> None:
    """A check-in may only point at a session of the signed-in user."""
    session_id = values.get("session_id")
    if session_id is None or "session_id" in errors:
        return
    owner = db.session.scalar(select(WorkoutSession.user_id).where(WorkoutSession.id == session_id))
    if owner != current_user.id:
        errors["session_id"] = "That is not one of your sessions."


def stored_values(checkin: Checkin) -> dict[str, Any]:
    """A stored check-in's values, in the shape the rules take as `current`."""
    values = {name: getattr(checkin, name) for name in FIELDS}
    values["recorded_offset_minutes"] = checkin.recorded_offset_minutes
    return values


def checkin_for_session(session: WorkoutSession) -> Checkin | None:
    """The first check-in made after a session, if there is one."""
    return db.session.scalar(
        select(Checkin)
        .where(Checkin.user_id == session.user_id, Checkin.session_id == session.id)
        .order_by(Checkin.id)
        .limit(1)
    )


def advice_config() -> AdviceConfig:
    """The advice thresholds of this app (ADVICE_* config keys)."""
    return AdviceConfig.from_mapping(current_app.config)


# What the advice rules read (advice.CheckinLike, advice.SessionLike): plain rows of these
# columns cost a fraction of loading whole check-ins into the session.
ADVICE_CHECKIN_COLUMNS = (
    Checkin.id,
    Checkin.recorded_at,
    Checkin.cramp_severity,
    Checkin.cramp_timing,
    Checkin.pain,
    Checkin.water_ml,
    Checkin.electrolytes,
    Checkin.sweat,
    Checkin.exertion,
    Checkin.red_flags,
)
ADVICE_SESSION_COLUMNS = (WorkoutSession.id, WorkoutSession.started_at)


@cache
def _advice_statements() -> tuple[Select, Select]:
    """The window's check-ins and sessions for the advice, built once (parameters
    `user_id` and `since`)."""
    user_id, since = bindparam("user_id"), bindparam("since")
    return (
        checkins_of(user_id, since=since, columns=ADVICE_CHECKIN_COLUMNS),
        sessions_of(user_id, since=since, columns=ADVICE_SESSION_COLUMNS),
    )


class AdviceReading(NamedTuple):
    """The advice for a user, its thresholds, and the window's check-ins it was read from
    (rows of ADVICE_CHECKIN_COLUMNS: every check-in an item names as evidence is here)."""

    config: AdviceConfig
    items: list[AdviceItem]
    checkins: Sequence[Row]


def read_advice(user: User, now: datetime | None = None) -> AdviceReading:
    """The advice for a user now, reading only the window's check-ins and sessions."""
    now = now or utcnow()
    config = advice_config()
    start = window_start(now, user.timezone, config.window_days)
    checkins_query, sessions_query = _advice_statements()
    window = {"user_id": user.id, "since": start}
    checkins = db.session.execute(checkins_query, window).all()
    sessions = db.session.execute(sessions_query, window).all()
    items = compute_advice(checkins, sessions, user, now, config)
    record_advice(item.category for item in items)
    return AdviceReading(config, items, checkins)


def advice_for(user: User, now: datetime | None = None) -> tuple[AdviceConfig, list[AdviceItem]]:
    """The advice for a user now and its thresholds."""
    reading = read_advice(user, now)
    return reading.config, reading.items
