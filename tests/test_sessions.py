"""The sessions history: newest first, in the person's timezone, paged, private, own only."""

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from crampcare.extensions import db
from crampcare.models import Checkin, User, WorkoutSession
from crampcare.seed import seed_routines
from crampcare.sessions.queries import PAGE_SIZE

HX = {"HX-Request": "true"}


@pytest.fixture
def patient(client, auth):
    """A signed-in patient in New York, with the routine library; returns their id."""
    auth.register(tz="America/New_York")
    with client.application.app_context():
        seed_routines()
    with client.application.app_context():
        return db.session.scalar(select(User.id).where(User.email == "pat@example.com"))


def add_session(app, user_id, started_at, done=6, total=6, slug="gentle-lower-back-release"):
    with app.app_context():
        session = WorkoutSession(
            user_id=user_id,
            client_id=str(uuid.uuid4()),
            routine_slug=slug,
            started_at=started_at,
            ended_at=started_at + timedelta(minutes=7, seconds=30),
            steps_completed=done,
            steps_total=total,
        )
        db.session.add(session)
        db.session.commit()
        return session.id


def add_checkin(app, user_id, session_id):
    with app.app_context():
        checkin = Checkin(
            user_id=user_id,
            client_id=str(uuid.uuid4()),
            session_id=session_id,
            recorded_at=datetime(2026, 3, 3, 23, 30, tzinfo=UTC),
        )
        db.session.add(checkin)
        db.session.commit()
        return checkin.id


def text(response) -> str:
    return response.get_data(as_text=True)


def test_a_session_reads_its_routine_time_length_steps_and_checkin(client, app, patient):
    done = add_session(app, patient, datetime(2026, 3, 3, 23, 15, tzinfo=UTC))
    cut_short = add_session(app, patient, datetime(2026, 3, 4, 12, 0, tzinfo=UTC), done=4)
    checkin = add_checkin(app, patient, done)
    response = client.get("/sessions")
    page = text(response)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    # Newest first; 23:15 UTC is 18:15 the same day in New York.
    assert page.index(f'id="session-{cut_short}"') < page.index(f'id="session-{done}"')
    assert "Tue 3 Mar 2026, 18:15" in page
    assert "Gentle lower back release" in page and "7 min 30 s" in page
    assert "6 of 6 steps done" in page
    assert "4 of 6 steps done, <strong>2 skipped</strong>" in page
    assert f'href="/checkins/{checkin}/edit"' in page
    assert f'href="/checkins/new?session={cut_short}"' in page and "Log how it went" in page


def test_a_deleted_routine_keeps_its_sessions(client, app, patient):
    add_session(app, patient, datetime(2026, 3, 3, 9, 0, tzinfo=UTC), slug="my-old-routine-a1b2c3")
    page = text(client.get("/sessions"))
    assert "My old routine a1b2c3" in page and "(routine deleted)" in page


def test_load_more_pages_on_with_a_link_and_a_fragment(client, app, patient):
    start = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)
    ids = [add_session(app, patient, start + timedelta(days=n)) for n in range(PAGE_SIZE + 3)]
    newest_first = ids[::-1]
    page = text(client.get("/sessions"))
    shown = [int(found) for found in re.findall(r'id="session-(\d+)"', page)]
    assert shown == newest_first[:PAGE_SIZE]
    last = newest_first[PAGE_SIZE - 1]
    more = f"/sessions?before={last}"
    assert f'href="{more}" hx-get="{more}" hx-target="closest li"' in page
    fragment = client.get(more, headers=HX)
    assert "<html" not in text(fragment) and "HX-Request" in fragment.headers["Vary"]
    assert [int(found) for found in re.findall(r'id="session-(\d+)"', text(fragment))] == (
        newest_first[PAGE_SIZE:]
    )
    assert "Load more" not in text(fragment)
    whole = text(client.get(more))
    assert "<html" in whole and "Back to the newest" in whole


def test_someone_elses_sessions_are_not_shown_nor_paged_from(client, app, auth, patient):
    theirs = add_session(app, patient, datetime(2026, 3, 3, 9, 0, tzinfo=UTC))
    auth.logout()
    auth.register(email="other@example.com")
    page = text(client.get("/sessions"))
    assert f"session-{theirs}" not in page and "No sessions yet" in page
    assert client.get(f"/sessions?before={theirs}").status_code == 404


def test_the_history_needs_a_patient(client, auth):
    response = client.get("/sessions")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    auth.register(email="doc@example.com", role="clinician")
    assert client.get("/sessions").status_code == 404


def test_the_dashboard_links_to_it(client, app, patient):
    add_session(app, patient, datetime.now(UTC) - timedelta(hours=1))
    assert 'href="/sessions"' in text(client.get("/dashboard"))
