"""What each dashboard panel shows (the patient's own and their clinician's view),
read with queries bounded by date or by LIMIT."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from statistics import mean, median

from sqlalchemy import and_, or_, select

from ..advice import AdviceItem
from ..charts import cramps_per_week_svg
from ..extensions import db
from ..local_time import (
    local_date,
    local_day_start,
    resolve_timezone,
    today,
    week_start,
    weekly_buckets,
)
from ..models import Checkin, User, WorkoutSession, utcnow
from .queries import advice_for, checkins_of
from .weeks import cramp_weeks

RANGES = (7, 28, 90)
DEFAULT_RANGE = 28
PAGE_SIZE = 10
# A streak week needs this many sessions; the streak looks this many weeks back at most.
STREAK_SESSIONS = 2
STREAK_WEEKS = 26


def chosen_range(value: int | None) -> int:
    """The range in days the dashboard shows: one of RANGES, 28 unless asked."""
    return value if value in RANGES else DEFAULT_RANGE


@dataclass(frozen=True)
class Evidence:
    """A check-in an advice item rests on, as the evidence list shows it."""

    id: int
    recorded_at: datetime
    cramp_severity: int


def advice_panel(patient: User, now: datetime | None = None) -> dict:
    """The advice items, most pressing first, each with its evidence check-ins."""
    config, items = advice_for(patient, now)
    wanted = {checkin_id for item in items for checkin_id in item.evidence}
    evidence: dict[int, Evidence] = {}
    if wanted:
        rows = db.session.execute(
            select(Checkin.id, Checkin.recorded_at, Checkin.cramp_severity).where(
                Checkin.user_id == patient.id, Checkin.id.in_(wanted)
            )
        )
        evidence = {row.id: Evidence(*row) for row in rows}
    return {
        "items": items,
        "evidence": {item.category: _evidence_of(item, evidence) for item in items},
        "window_days": config.window_days,
    }


def _evidence_of(item: AdviceItem, evidence: dict[int, Evidence]) -> list[Evidence]:
    found = [evidence[i] for i in item.evidence if i in evidence]
    return sorted(found, key=lambda e: e.recorded_at, reverse=True)


def sessions_panel(patient: User, now: datetime | None = None) -> dict:
    """This local week's sessions and the streak of weeks with enough sessions."""
    now = now or utcnow()
    zone = resolve_timezone(patient.timezone)
    this_week = week_start(today(patient.timezone, now))
    first_week = this_week - timedelta(weeks=STREAK_WEEKS)
    starts = db.session.scalars(
        select(WorkoutSession.started_at).where(
            WorkoutSession.user_id == patient.id,
            WorkoutSession.started_at >= local_day_start(first_week, patient.timezone),
        )
    ).all()
    buckets = weekly_buckets(starts, lambda started: started, zone, first_week, this_week)
    per_week = {week: len(started) for week, started in buckets.items()}
    # The week under way counts once it has enough sessions; until then it does not break it.
    week = this_week if per_week.get(this_week, 0) >= STREAK_SESSIONS else this_week - timedelta(7)
    streak = 0
    while per_week.get(week, 0) >= STREAK_SESSIONS and streak < STREAK_WEEKS:
        streak += 1
        week -= timedelta(weeks=1)
    return {
        "week_sessions": per_week.get(this_week, 0),
        "week_start": this_week,
        "streak": streak,
        "streak_capped": streak >= STREAK_WEEKS,
        "streak_sessions": STREAK_SESSIONS,
    }


def _range_days(patient: User, range_days: int, now: datetime | None) -> tuple[date, date]:
    """The first day of the range and the Monday of its week, in the patient's calendar."""
    first_day = today(patient.timezone, now or utcnow()) - timedelta(days=range_days - 1)
    return first_day, week_start(first_day)


def _range_rows(patient: User, since_day: date):
    """(recorded_at, severity, water) of the check-ins since a local day: one indexed range scan."""
    return db.session.execute(
        select(Checkin.recorded_at, Checkin.cramp_severity, Checkin.water_ml).where(
            Checkin.user_id == patient.id,
            Checkin.recorded_at >= local_day_start(since_day, patient.timezone),
        )
    ).all()


def chart_panel(patient: User, range_days: int, now: datetime | None = None, rows=None) -> dict:
    """Cramps per local week over the range, and the range's total.

    Bars are Monday weeks, but only the range's days count: the first bar starts on the
    range's first day when that is not a Monday, so the bars add up to the total shown.
    """
    first_day, first_week = _range_days(patient, range_days, now)
    last_day = first_day + timedelta(days=range_days - 1)
    zone = resolve_timezone(patient.timezone)
    if rows is None:
        rows = _range_rows(patient, first_week)
    in_range = (
        (recorded_at, severity)
        for recorded_at, severity, _water in rows
        if local_date(recorded_at, zone) >= first_day
    )
    # The first bar starts on the range's first day when that is not a Monday.
    bars = [
        replace(bar, week_start=max(bar.week_start, first_day))
        for bar in cramp_weeks(in_range, zone, first_week, week_start(last_day))
    ]
    return {
        "weeks": bars,
        "svg": cramps_per_week_svg(bars),
        "cramps_in_range": sum(bar.cramps for bar in bars),
        "range_days": range_days,
        "first_day": first_day,
        "first_bar_partial": first_day != first_week,
    }


@dataclass(frozen=True)
class WaterStats:
    """Water drunk on one kind of day: how many check-ins, their median and average."""

    count: int
    median_ml: float | None
    average_ml: float | None


def _water_stats(amounts: list[int]) -> WaterStats:
    if not amounts:
        return WaterStats(0, None, None)
    return WaterStats(len(amounts), median(amounts), mean(amounts))


def water_panel(patient: User, range_days: int, now: datetime | None = None, rows=None) -> dict:
    """Water on cramp days against the other days of the range (check-ins with water only)."""
    first_day, first_week = _range_days(patient, range_days, now)
    since = local_day_start(first_day, patient.timezone)
    if rows is None:
        rows = _range_rows(patient, first_day)
    rows = [row for row in rows if row[0] >= since and row[2] is not None]
    return {
        "cramp_days": _water_stats([water for _at, severity, water in rows if severity >= 1]),
        "other_days": _water_stats([water for _at, severity, water in rows if severity == 0]),
        "range_days": range_days,
    }


def range_panels(patient: User, range_days: int, now: datetime | None = None) -> dict:
    """The chart and the water figures, read with one query."""
    _first_day, first_week = _range_days(patient, range_days, now)
    rows = _range_rows(patient, first_week)
    return {
        "chart": chart_panel(patient, range_days, now, rows),
        "water": water_panel(patient, range_days, now, rows),
    }


def recent_checkins(patient: User, before: int | None = None) -> tuple[list[Checkin], bool]:
    """A page of check-ins, newest first, older than the check-in `before`; and if more follow."""
    query = checkins_of(patient.id)
    if before is not None:
        cursor = db.session.execute(
            select(Checkin.recorded_at, Checkin.id).where(
                Checkin.id == before, Checkin.user_id == patient.id
            )
        ).first()
        if cursor is not None:
            query = query.where(
                or_(
                    Checkin.recorded_at < cursor.recorded_at,
                    and_(Checkin.recorded_at == cursor.recorded_at, Checkin.id < cursor.id),
                )
            )
    rows = db.session.scalars(query.limit(PAGE_SIZE + 1)).all()
    return list(rows[:PAGE_SIZE]), len(rows) > PAGE_SIZE


def is_new(patient: User) -> bool:
    """True while the account has neither a check-in nor a session."""
    checkin = db.session.scalar(select(Checkin.id).where(Checkin.user_id == patient.id).limit(1))
    if checkin is not None:
        return False
    session = db.session.scalar(
        select(WorkoutSession.id).where(WorkoutSession.user_id == patient.id).limit(1)
    )
    return session is None


def dashboard(
    patient: User, range_days: int, before: int | None = None, now: datetime | None = None
) -> dict:
    """Everything the whole dashboard page shows."""
    now = now or utcnow()
    checkins, has_more = recent_checkins(patient, before)
    if not checkins and before is None and is_new(patient):
        return {"first_run": True, "range_days": range_days}
    return {
        "first_run": False,
        "range_days": range_days,
        "advice": advice_panel(patient, now),
        "sessions": sessions_panel(patient, now),
        **range_panels(patient, range_days, now),
        "recent": {"checkins": checkins, "has_more": has_more},
    }
