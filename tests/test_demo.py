"""The demo history: believable, deterministic, and enough for real advice."""

from datetime import date

import pytest
from sqlalchemy import func, select

from crampcare.demo import build_history
from crampcare.extensions import db
from crampcare.logbook.queries import advice_for
from crampcare.models import Checkin, User, WorkoutSession
from crampcare.seed import DEMO_PATIENT

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
