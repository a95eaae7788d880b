"""What each dashboard panel shows (the patient's own and their clinician's view).

Counted and summed by the database (see tallies.py), with queries bounded by date or
by LIMIT: a fixed number of queries whatever the length of the history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache

from sqlalchemy import and_, bindparam, literal, or_, select, union_all

from ..advice import AdviceItem
from ..charts import WeekBar, cramps_per_week_svg
from ..extensions import db
from ..local_time import local_day_start, today, week_bounds, week_start
from ..models import Checkin, User, WorkoutSession, utcnow
from .queries import checkins_of, read_advice
from .tallies import (
    count_where,
    exact_mean,
    moment,
    per_week,
    sum_where,
    week_parameters,
    week_values,
    weekly,
)

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
    """The advice items, most pressing first, each with its evidence check-ins (read with
    the advice: every one is a check-in of its window)."""
    config, items, checkins = read_advice(patient, now)
    wanted = {checkin_id for item in items for checkin_id in item.evidence}
    evidence = {
        row.id: Evidence(row.id, row.recorded_at, row.cramp_severity)
        for row in checkins
        if row.id in wanted
    }
    return {
        "items": items,
        "evidence": {item.category: _evidence_of(item, evidence) for item in items},
        "window_days": config.window_days,
    }


def _evidence_of(item: AdviceItem, evidence: dict[int, Evidence]) -> list[Evidence]:
    found = [evidence[i] for i in item.evidence if i in evidence]
    return sorted(found, key=lambda e: e.recorded_at, reverse=True)


@cache
def _sessions_statement(weeks: int):
    """Sessions started in each of `weeks` weeks (see tallies.py): one row."""
    started = WorkoutSession.started_at
    bounds = week_parameters(started, weeks)
    first, end = bounds[0], bounds[-1]
    return select(*per_week(started, weeks)).where(
        WorkoutSession.user_id == bindparam("user_id"), started >= first, started < end
    )


def sessions_panel(patient: User, now: datetime | None = None) -> dict:
    """This local week's sessions and the streak of weeks with enough sessions."""
    now = now or utcnow()
    this_week = week_start(today(patient.timezone, now))
    first_week = this_week - timedelta(weeks=STREAK_WEEKS)
    bounds = week_bounds(first_week, this_week, patient.timezone)
    counts = weekly(
        db.session.execute(
            _sessions_statement(len(bounds) - 1), {"user_id": patient.id, **week_values(bounds)}
        ).one()
    )
    per_week_count = {first_week + timedelta(weeks=n): count for n, count in enumerate(counts)}
    # The week under way counts once it has enough sessions; until then it does not break it.
    week_sessions = per_week_count[this_week]
    week = this_week if week_sessions >= STREAK_SESSIONS else this_week - timedelta(7)
    streak = 0
    while per_week_count.get(week, 0) >= STREAK_SESSIONS and streak < STREAK_WEEKS:
        streak += 1
        week -= timedelta(weeks=1)
    return {
        "week_sessions": week_sessions,
        "week_start": this_week,
        "streak": streak,
        "streak_capped": streak >= STREAK_WEEKS,
        "streak_sessions": STREAK_SESSIONS,
    }


@dataclass(frozen=True)
class RangeSpan:
    """The days a range covers: its first day, and the whole weeks its chart shows."""

    first_day: date
    first_week: date
    last_week: date
    range_days: int


def _span(patient: User, range_days: int, now: datetime | None) -> RangeSpan:
    """The range's first day and its weeks, in the patient's calendar."""
    first_day = today(patient.timezone, now or utcnow()) - timedelta(days=range_days - 1)
    last_day = first_day + timedelta(days=range_days - 1)
    return RangeSpan(first_day, week_start(first_day), week_start(last_day), range_days)


# A cramp day and the other days, as the water panel compares them.
WATER_KINDS = {"cramp_days": Checkin.cramp_severity >= 1, "other_days": Checkin.cramp_severity == 0}


@cache
def _range_statement(weeks: int):
    """Every count and sum the chart and water panels show over `weeks` weeks: one row."""
    at, cramp = Checkin.recorded_at, Checkin.cramp_severity >= 1
    # The first bar starts on the range's first day (week_0), which need not be a Monday.
    since = week_parameters(at, weeks)[0]
    with_water = and_(at >= since, Checkin.water_ml.is_not(None))
    columns = [*per_week(at, weeks), *per_week(at, weeks, cramp)]
    for name, kind in WATER_KINDS.items():
        columns.append(count_where(and_(with_water, kind)).label(f"{name}_count"))
        columns.append(sum_where(and_(with_water, kind), Checkin.water_ml).label(f"{name}_sum"))
    return select(*columns).where(Checkin.user_id == bindparam("user_id"), at >= since)


def _range_tallies(patient: User, span: RangeSpan):
    """The range's week bounds, its first moment, and its figures counted by the database."""
    since = local_day_start(span.first_day, patient.timezone)
    # Monday weeks, but only the range's days count: the first week starts on its first day.
    bounds = [since, *week_bounds(span.first_week, span.last_week, patient.timezone)[1:]]
    row = db.session.execute(
        _range_statement(len(bounds) - 1), {"user_id": patient.id, **week_values(bounds)}
    ).one()
    return bounds, since, row


def _chart(span: RangeSpan, bounds: list[datetime], row) -> dict:
    """Cramps per week over the range; the bars add up to the total shown."""
    weeks = len(bounds) - 1
    checkins, cramps = weekly(row[: weeks + 1]), weekly(row[weeks + 1 : 2 * weeks + 2])
    bars = [
        WeekBar(
            max(span.first_week + timedelta(weeks=n), span.first_day),
            cramps=cramps[n],
            checkins=checkins[n],
        )
        for n in range(weeks)
    ]
    return {
        "weeks": bars,
        "svg": cramps_per_week_svg(bars),
        "cramps_in_range": sum(bar.cramps for bar in bars),
        "range_days": span.range_days,
        "first_day": span.first_day,
        "first_bar_partial": span.first_day != span.first_week,
    }


@dataclass(frozen=True)
class WaterStats:
    """Water drunk on one kind of day: how many check-ins, their median and average."""

    count: int
    median_ml: float | None
    average_ml: float | None


@cache
def _middles_statement():
    """The middle amount (or middle two) of each kind of day, read by the database in
    order: one statement for every kind (parameters `user_id`, `since`, and per kind
    `<kind>_offset` and `<kind>_limit`)."""
    at = Checkin.recorded_at
    kinds = []
    for name, kind in WATER_KINDS.items():
        middle = (
            select(literal(name).label("kind"), Checkin.water_ml)
            .where(
                Checkin.user_id == bindparam("user_id"),
                at >= moment("since", at),
                Checkin.water_ml.is_not(None),
                kind,
            )
            .order_by(Checkin.water_ml)
            .offset(bindparam(f"{name}_offset"))
            .limit(bindparam(f"{name}_limit"))
        )
        kinds.append(select(middle.subquery()))
    return union_all(*kinds)


def _medians(patient: User, since: datetime, counts: dict[str, int]) -> dict[str, int | float]:
    """The median water of each kind of day that has any: the middle amount, or the mean
    of the middle two."""
    window = {"user_id": patient.id, "since": since}
    for name, count in counts.items():
        window[f"{name}_offset"] = max(count - 1, 0) // 2
        window[f"{name}_limit"] = (2 - count % 2) if count else 0
    middles: dict[str, list[int]] = {name: [] for name in counts}
    for kind, water_ml in db.session.execute(_middles_statement(), window):
        middles[kind].append(water_ml)
    return {
        name: values[0] if len(values) == 1 else (values[0] + values[1]) / 2
        for name, values in middles.items()
        if values
    }


def _water(patient: User, span: RangeSpan, since: datetime, row) -> dict:
    counts = {name: row._mapping[f"{name}_count"] for name in WATER_KINDS}
    medians = _medians(patient, since, counts) if any(counts.values()) else {}
    stats = {}
    for name, count in counts.items():
        total = row._mapping[f"{name}_sum"]
        stats[name] = (
            WaterStats(count, medians[name], exact_mean(total, count))
            if count
            else WaterStats(0, None, None)
        )
    return {**stats, "range_days": span.range_days}


def chart_panel(patient: User, range_days: int, now: datetime | None = None) -> dict:
    """Cramps per local week over whole weeks covering the range, and the range's total."""
    span = _span(patient, range_days, now)
    bounds, _since, row = _range_tallies(patient, span)
    return _chart(span, bounds, row)


def water_panel(patient: User, range_days: int, now: datetime | None = None) -> dict:
    """Water on cramp days against the other days of the range (check-ins with water only)."""
    span = _span(patient, range_days, now)
    _bounds, since, row = _range_tallies(patient, span)
    return _water(patient, span, since, row)


def range_panels(patient: User, range_days: int, now: datetime | None = None) -> dict:
    """The chart and the water figures: one aggregate query, and one for the medians."""
    span = _span(patient, range_days, now)
    bounds, since, row = _range_tallies(patient, span)
    return {"chart": _chart(span, bounds, row), "water": _water(patient, span, since, row)}


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
