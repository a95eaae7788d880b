"""The dashboard costs the same few queries whatever the length of the history, and the
figures the database counts are the ones counting the rows one by one gives."""

import random
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from statistics import mean, median

import pytest
from sqlalchemy import event, insert, select

from crampcare.extensions import db
from crampcare.local_time import local_date, resolve_timezone, today, week_start
from crampcare.logbook import panels
from crampcare.logbook.weeks import cramp_weeks
from crampcare.models import Checkin, User, WorkoutSession, utcnow

from .records import add_checkin, add_session, signed_in, user_id

pytestmark = pytest.mark.postgres

HX = {"HX-Request": "true"}
URLS = [
    ("/dashboard", {}),
    ("/dashboard?range=90", {}),
    ("/dashboard?range=90", HX),
    ("/dashboard/sessions", HX),
    ("/dashboard/chart?range=7", HX),
    ("/dashboard/water?range=28", HX),
    ("/dashboard/advice", HX),
]


def add_history(app, email: str, days: int, seed: int = 3) -> None:
    """A check-in most evenings and a session every other day, for `days` days back."""
    rng = random.Random(seed)
    now = utcnow()
    with app.app_context():
        owner = user_id(app, email)
        checkins, sessions = [], []
        for n in range(days):
            evening = now - timedelta(days=n, hours=rng.randrange(0, 20))
            severity = rng.choice((0, 0, 1, 2, 3))
            checkins.append(
                {
                    "user_id": owner,
                    "client_id": str(uuid.uuid4()),
                    "recorded_at": evening,
                    "recorded_offset_minutes": 0,
                    "cramp_severity": severity,
                    "cramp_timing": "night" if severity else None,
                    "cramp_locations": [],
                    "water_ml": rng.choice((None, 250, 500, 750, 900, 1250, 1500)),
                    "electrolytes": [],
                    "red_flags": [],
                }
            )
            if n % 2 == 0:
                sessions.append(
                    {
                        "user_id": owner,
                        "client_id": str(uuid.uuid4()),
                        "routine_slug": "gentle-lower-back",
                        "started_at": evening - timedelta(hours=1),
                        "ended_at": evening - timedelta(minutes=50),
                        "steps_completed": 6,
                        "steps_total": 6,
                    }
                )
        db.session.execute(insert(Checkin), checkins)
        db.session.execute(insert(WorkoutSession), sessions)
        db.session.commit()


def statements_per_url(app, client) -> list[int]:
    """How many SQL statements each dashboard URL runs, with no kept copy to serve from."""
    counts = []
    with app.app_context():
        engine = db.engine
    for url, headers in URLS:
        if "dashboard_cache" in app.extensions:
            app.extensions["dashboard_cache"].entries.clear()
        seen = []

        def count(*_args, seen=seen):
            seen.append(1)

        event.listen(engine, "before_cursor_execute", count)
        try:
            response = client.get(url, headers=headers)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        assert response.status_code == 200, url
        counts.append(len(seen))
    return counts


def test_a_dashboard_runs_as_many_queries_at_30_days_as_at_3_years(app):
    short = signed_in(app, "short@example.com")
    long = signed_in(app, "long@example.com")
    add_history(app, "short@example.com", 30)
    add_history(app, "long@example.com", 3 * 365)
    statements_per_url(app, short)  # the first request of a client loads its account
    short_counts = statements_per_url(app, short)
    assert statements_per_url(app, long) == short_counts
    assert max(short_counts) <= 9, short_counts


@pytest.mark.parametrize("zone", ["UTC", "America/New_York", "Pacific/Auckland"])
def test_counted_figures_equal_the_rows_counted_one_by_one(app, zone):
    signed_in(app, "pat@example.com", tz=zone)
    add_history(app, "pat@example.com", 400, seed=len(zone))
    with app.app_context():
        patient = db.session.scalar(select(User).where(User.email == "pat@example.com"))
        rows = db.session.execute(
            select(Checkin.recorded_at, Checkin.cramp_severity, Checkin.water_ml).where(
                Checkin.user_id == patient.id
            )
        ).all()
        starts = db.session.scalars(
            select(WorkoutSession.started_at).where(WorkoutSession.user_id == patient.id)
        ).all()
        now = utcnow()
        tz = resolve_timezone(zone)
        for range_days in panels.RANGES:
            got = panels.range_panels(patient, range_days, now)
            first_day = today(zone, now) - timedelta(days=range_days - 1)
            last_week = week_start(first_day + timedelta(days=range_days - 1))
            counted = [(at, sev) for at, sev, _w in rows if local_date(at, tz) >= first_day]
            bars = [
                replace(bar, week_start=max(bar.week_start, first_day))
                for bar in cramp_weeks(counted, tz, week_start(first_day), last_week)
            ]
            assert got["chart"]["weeks"] == bars
            assert got["chart"]["cramps_in_range"] == sum(bar.cramps for bar in bars)
            days = [(at, sev, w) for at, sev, w in rows if local_date(at, tz) >= first_day]
            for name, wanted in (("cramp_days", True), ("other_days", False)):
                amounts = [w for _at, sev, w in days if w is not None and (sev >= 1) == wanted]
                stats = got["water"][name]
                assert stats.count == len(amounts)
                assert stats.median_ml == median(amounts)
                assert stats.average_ml == mean(amounts)
                assert type(stats.average_ml) is type(mean(amounts))
        this_week = week_start(today(zone, now))
        per_week = sum(1 for at in starts if week_start(local_date(at, tz)) == this_week)
        assert panels.sessions_panel(patient, now)["week_sessions"] == per_week


def add_checkins(app, email: str, days: list[tuple[int, int | None]]) -> None:
    """Check-ins of (cramp severity, water) an hour apart, the latest an hour ago."""
    now = utcnow()
    with app.app_context():
        owner = user_id(app, email)
        rows = [
            {
                "user_id": owner,
                "client_id": str(uuid.uuid4()),
                "recorded_at": now - timedelta(hours=n + 1),
                "recorded_offset_minutes": 0,
                "cramp_severity": severity,
                "cramp_timing": "night" if severity else None,
                "cramp_locations": [],
                "water_ml": water,
                "electrolytes": [],
                "red_flags": [],
            }
            for n, (severity, water) in enumerate(days)
        ]
        db.session.execute(insert(Checkin), rows)
        db.session.commit()


def test_medians_of_an_odd_count_an_even_count_and_no_days(app):
    signed_in(app, "pat@example.com")
    signed_in(app, "dry@example.com")
    add_checkins(app, "pat@example.com", [(1, 900), (2, 250), (1, 500), (3, None)])
    add_checkins(app, "pat@example.com", [(0, 750), (0, 250), (0, None)])
    add_checkins(app, "dry@example.com", [(2, 400), (1, 600)])
    with app.app_context():
        patients = {u.email: u for u in db.session.scalars(select(User))}
        water = panels.water_panel(patients["pat@example.com"], 7)
        assert water["cramp_days"] == panels.WaterStats(3, 500, 550)
        # The middle of an odd count is the amount itself, as statistics.median gives it.
        assert type(water["cramp_days"].median_ml) is int
        assert water["other_days"] == panels.WaterStats(2, 500, 500)
        water = panels.water_panel(patients["dry@example.com"], 7)
        assert water["cramp_days"] == panels.WaterStats(2, 500, 500)
        assert water["other_days"] == panels.WaterStats(0, None, None)


# A Wednesday afternoon in New York (UTC-5): this local week began on Monday 23 November
# at 05:00 UTC, the one before on 16 November, and the next begins on 30 November.
WEDNESDAY = datetime(2026, 11, 25, 20, 0, tzinfo=UTC)
JUST_BEFORE = timedelta(microseconds=1)


def monday_midnight_new_york(day: int) -> datetime:
    """00:00 in New York on a Monday of November 2026, in UTC."""
    return datetime(2026, 11, day, 5, 0, tzinfo=UTC)


def test_each_week_counts_from_its_local_monday_midnight_to_the_next(app):
    signed_in(app, "pat@example.com", tz="America/New_York")
    range_start = datetime(2026, 11, 19, 5, 0, tzinfo=UTC)  # 7 days: from Thursday 19th on
    checkins = {
        range_start - JUST_BEFORE: 1,  # before the range: in no bar
        range_start: 1,
        monday_midnight_new_york(23) - JUST_BEFORE: 0,
        monday_midnight_new_york(23): 2,
        monday_midnight_new_york(30) - JUST_BEFORE: 3,  # within the clock drift allowed
        monday_midnight_new_york(30): 1,  # after the last bar's week: in no bar
    }
    sessions = [
        monday_midnight_new_york(9),
        monday_midnight_new_york(16) - JUST_BEFORE,
        monday_midnight_new_york(16),
        monday_midnight_new_york(23) - JUST_BEFORE,
        monday_midnight_new_york(23),
    ]
    for at, severity in checkins.items():
        timing = "night" if severity else None
        add_checkin(
            app, "pat@example.com", recorded_at=at, cramp_severity=severity, cramp_timing=timing
        )
    for at in sessions:
        add_session(app, "pat@example.com", started_at=at)
    with app.app_context():
        owner = user_id(app, "pat@example.com")
        patient = db.session.get(User, owner)
        chart = panels.chart_panel(patient, 7, WEDNESDAY)
        week = panels.sessions_panel(patient, WEDNESDAY)
    by_week = [(bar.week_start.isoformat(), bar.checkins, bar.cramps) for bar in chart["weeks"]]
    # Thursday 19th to Sunday 22nd: the range's first moment and the last before Monday.
    assert by_week == [("2026-11-19", 2, 1), ("2026-11-23", 2, 2)]
    assert chart["cramps_in_range"] == 3
    # This week: Monday's midnight only. The week before: its own midnight and the moment
    # before this Monday. The week of the 9th: its midnight and the moment before the 16th.
    assert week["week_sessions"] == 1
    assert week["streak"] == 2
