"""The demo history: believable, deterministic, and enough for real advice."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from crampcare.demo import build_history
from crampcare.extensions import db
from crampcare.logbook.queries import advice_for
from crampcare.models import Checkin, Plan, User, WorkoutSession, utcnow
from crampcare.seed import DEMO_CLINICIAN, DEMO_PATIENT, seed_routines

pytestmark = pytest.mark.postgres


def test_demo_makes_history_and_real_advice(runner, app):
    result = runner.invoke(args=["demo", "--days", "60"])
    assert result.exit_code == 0, result.output
    assert DEMO_PATIENT in result.output
    with app.app_context():
        patient = db.session.scalar(select(User).where(User.email == DEMO_PATIENT))
        sessions = db.session.scalar(select(func.count(WorkoutSession.id)))
        checkins = db.session.scalars(select(Checkin)).all()
        # 2 to 5 sessions a week over about 8.5 weeks.
        assert 17 <= sessions <= 43
        assert len(checkins) >= sessions * 0.6
        assert all(c.user_id == patient.id for c in checkins)
        assert any(c.is_cramp for c in checkins) and not all(c.is_cramp for c in checkins)
        assert all(c.cramp_timing for c in checkins if c.is_cramp)
        with_water = [c.water_ml for c in checkins if c.water_ml is not None]
        assert with_water and all(0 <= w <= 5000 for w in with_water)
        _, items = advice_for(patient)
        categories = {item.category for item in items}
        assert categories and "need_more_data" not in categories


def test_demo_twice_replaces_the_history(runner, app):
    runner.invoke(args=["demo", "--days", "30"])
    runner.invoke(args=["demo", "--days", "30"])
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 2
        ids = db.session.scalars(select(Checkin.client_id)).all()
        assert len(ids) == len(set(ids))


def test_history_is_deterministic_and_local():
    first = build_history(90, "Europe/London", date(2026, 3, 1), seed=3)
    again = build_history(90, "Europe/London", date(2026, 3, 1), seed=3)
    assert first == again
    sessions, checkins = first
    for session in sessions:
        assert session["ended_at"] > session["started_at"]
    night = [c for c in checkins if c["cramp_timing"] == "night"]
    assert all(c["session_index"] is None for c in night)


def test_three_years_build_quickly_enough_to_seed():
    sessions, checkins = build_history(3 * 365, "Europe/London", date(2026, 3, 1))
    assert 300 < len(sessions) < 800
    assert len(checkins) > 250


def test_nothing_in_the_history_is_later_than_now():
    # 01:20 in London: the day's sessions (07:10 at the earliest) have not happened.
    now = datetime(2026, 11, 24, 1, 20, tzinfo=UTC)
    sessions, checkins = build_history(30, "Europe/London", date(2026, 11, 24), now=now)
    assert sessions and checkins
    assert all(s["started_at"] <= now and s["ended_at"] <= now for s in sessions)
    assert all(c["recorded_at"] <= now for c in checkins)
    assert all(
        c["session_index"] is None or c["recorded_at"] > sessions[c["session_index"]]["ended_at"]
        for c in checkins
    )
    full, _ = build_history(30, "Europe/London", date(2026, 11, 24))
    assert any(s["started_at"] > now for s in full)


def test_the_demo_has_a_plan_from_the_demo_clinician(runner, app):
    with app.app_context():
        seed_routines()
    assert runner.invoke(args=["demo", "--days", "30"]).exit_code == 0
    assert runner.invoke(args=["demo", "--days", "30"]).exit_code == 0
    with app.app_context():
        [plan] = db.session.scalars(select(Plan)).all()
        assert plan.patient.email == DEMO_PATIENT
        assert plan.clinician.email == DEMO_CLINICIAN
        assert plan.routine.slug == "gentle-lower-back-release"
        latest = db.session.scalar(select(func.max(WorkoutSession.ended_at)))
        assert latest <= utcnow()
