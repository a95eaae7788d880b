"""Believable history for the demo patient: sessions, check-ins and the odd night cramp.

`build_history` is pure (rows as dicts, from a seeded random generator); `replace_history`
writes them in bulk, so years of history take a moment, not minutes.
"""

import random
import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, insert, update

from .extensions import db
from .models import Checkin, User, WorkoutSession
from .routine_library import LIBRARY

# (hour, minute) slots people stretch at: before work, lunch, after work, evening.
SLOTS = ((7, 10), (12, 30), (18, 0), (19, 15), (20, 40))
LOCATIONS = ("lower_back", "lower_back_left", "lower_back_right", "mid_back", "upper_back")


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def build_history(
    days: int, timezone: str, today: date, seed: int = 7, now: datetime | None = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Sessions and check-ins for the `days` local days ending today, as row dicts.

    Each check-in's "session_index" points into the session list (or is None). With
    `now`, nothing is later than it: today's evening session has not happened yet.
    """
    rng = random.Random(seed)
    zone = ZoneInfo(timezone)
    sessions: list[dict[str, Any]] = []
    checkins: list[dict[str, Any]] = []
    first = today - timedelta(days=days - 1)
    week_plan: set[int] = set()
    for offset in range(days):
        day = first + timedelta(days=offset)
        if offset == 0 or day.weekday() == 0:
            per_week = rng.choice((2, 3, 3, 4, 4, 5))
            week_plan = set(rng.sample(range(7), per_week))
        if day.weekday() in week_plan:
            # The last three weeks tell a story the advice can read: a hot spell in
            # which they drank less, and cramped more.
            _add_session(rng, zone, day, sessions, checkins, thirsty=(today - day).days < 21)
        # Now and then a cramp wakes them at night (about once a month).
        if rng.random() < 1 / 30:
            checkins.append(_night_cramp(rng, zone, day))
    if now is None:
        return sessions, checkins
    return _until(now, sessions, checkins)


def _until(now: datetime, sessions: list[dict], checkins: list[dict]) -> tuple[list, list]:
    """Only what had happened by `now`: a session that has ended, a check-in recorded."""
    kept: dict[int, int] = {}
    past_sessions = []
    for index, session in enumerate(sessions):
        if session["ended_at"] <= now:
            kept[index] = len(past_sessions)
            past_sessions.append(session)
    past_checkins = []
    for checkin in checkins:
        index = checkin["session_index"]
        if checkin["recorded_at"] > now or (index is not None and index not in kept):
            continue
        past_checkins.append({**checkin, "session_index": None if index is None else kept[index]})
    return past_sessions, past_checkins


def _add_session(rng, zone, day, sessions, checkins, thirsty: bool = False) -> None:
    routine = rng.choice(LIBRARY)
    hour, minute = rng.choice(SLOTS)
    start = datetime.combine(day, time(hour, minute), tzinfo=zone) + timedelta(
        minutes=rng.randint(-20, 40)
    )
    length = timedelta(minutes=rng.randint(5, 15), seconds=rng.randint(0, 59))
    steps = len(routine.steps)
    completed = steps if rng.random() < 0.9 else rng.randint(1, steps)
    sessions.append(
        {
            "client_id": _uuid(rng),
            "routine_slug": routine.slug,
            "started_at": start.astimezone(UTC),
            "ended_at": (start + length).astimezone(UTC),
            "steps_completed": completed,
            "steps_total": steps,
        }
    )
    # Most sessions get a check-in a few minutes after the end.
    if rng.random() < 0.85:
        at = start + length + timedelta(minutes=rng.randint(1, 15))
        checkins.append(_after_session(rng, at, len(sessions) - 1, thirsty))


def _after_session(
    rng: random.Random, at: datetime, session_index: int, thirsty: bool = False
) -> dict[str, Any]:
    usual = (150, 200, 250, 300, 400, 500, 500, 600, 750, 750, 1000)
    water = rng.choice((150, 200, 250, 250, 300, 400, 600) if thirsty else usual)
    sweat = rng.choices(("light", "moderate", "heavy"), weights=(4, 4, 2))[0]
    exertion = rng.choices(range(2, 11), weights=(1, 3, 5, 6, 6, 4, 3, 1, 1))[0]
    electrolytes = (
        rng.sample(("sodium", "potassium", "magnesium"), rng.randint(1, 2))
        if rng.random() < 0.25
        else []
    )
    # Cramps follow the usual suspects: little water, heavy sweat without salts, overdoing it.
    chance = 0.05
    chance += 0.3 if water < 500 else 0
    chance += 0.25 if sweat == "heavy" and not electrolytes else 0
    chance += 0.15 if exertion >= 8 else 0
    severity = rng.choices((1, 2, 3), weights=(6, 3, 1))[0] if rng.random() < chance else 0
    return _row(
        rng,
        at,
        session_index=session_index,
        severity=severity,
        timing=rng.choice(("during_stretch", "after_stretch", "after_stretch")),
        water=water,
        electrolytes=sorted(electrolytes, key=("sodium", "potassium", "magnesium").index),
        sweat=sweat,
        exertion=exertion,
    )


def _night_cramp(rng: random.Random, zone: ZoneInfo, day: date) -> dict[str, Any]:
    at = datetime.combine(day, time(rng.randint(1, 4), rng.randint(0, 59)), tzinfo=zone)
    return _row(
        rng,
        at,
        session_index=None,
        severity=rng.choice((1, 2)),
        timing="night",
        water=None,
        electrolytes=[],
        sweat=None,
        exertion=None,
        notes="Woke up with it.",
    )


def _row(
    rng, at, *, session_index, severity, timing, water, electrolytes, sweat, exertion, notes=None
):
    cramp = severity > 0
    return {
        "session_index": session_index,
        "client_id": _uuid(rng),
        "recorded_at": at.astimezone(UTC),
        "recorded_offset_minutes": int(at.utcoffset().total_seconds() // 60),
        "cramp_severity": severity,
        "cramp_timing": timing if cramp else None,
        "cramp_locations": [rng.choice(LOCATIONS)] if cramp else [],
        "pain": rng.randint(2, 6) if cramp else rng.choice((None, 0, 0, 1)),
        "water_ml": water,
        "electrolytes": electrolytes,
        "sweat": sweat,
        "exertion": exertion,
        "red_flags": [],
        "notes": notes,
    }


def replace_history(user_id: int, timezone: str, days: int, now: datetime, seed: int = 7) -> None:
    """Delete a user's sessions and check-ins and write a fresh history up to `now`, in bulk."""
    today = now.astimezone(ZoneInfo(timezone)).date()
    sessions, checkins = build_history(days, timezone, today, seed, now)
    db.session.execute(delete(Checkin).where(Checkin.user_id == user_id))
    db.session.execute(delete(WorkoutSession).where(WorkoutSession.user_id == user_id))
    session_ids: list[int] = []
    if sessions:
        session_ids = list(
            db.session.scalars(
                insert(WorkoutSession).returning(WorkoutSession.id, sort_by_parameter_order=True),
                [{**row, "user_id": user_id} for row in sessions],
            )
        )
    rows = []
    for row in checkins:
        index = row.pop("session_index")
        rows.append(
            {**row, "user_id": user_id, "session_id": None if index is None else session_ids[index]}
        )
    if rows:
        db.session.execute(insert(Checkin), rows)
    # Bulk statements skip the flush hook that versions a user's log: bump it here.
    db.session.execute(
        update(User).where(User.id == user_id).values(data_version=User.data_version + 1)
    )
