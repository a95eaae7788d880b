"""The dashboard is kept per user until their log changes, and never outlives a change."""

import uuid

from sqlalchemy import select

from crampcare.extensions import db
from crampcare.models import User

from .conftest import csrf_token


def version(app, email="pat@example.com") -> int:
    with app.app_context():
        return db.session.scalar(select(User.data_version).where(User.email == email))


def post_checkin(client, **values):
    body = {
        "client_id": str(uuid.uuid4()),
        "recorded_at": "2026-11-20T18:00:00+00:00",
        "cramp_severity": 0,
        "notes": "first",
        **values,
    }
    token = csrf_token(client, "/cramps/new")
    return client.post("/api/checkins", json=body, headers={"X-CSRFToken": token})


def test_every_write_to_the_log_bumps_the_data_version(client, auth, app):
    auth.register()
    assert version(app) == 0
    created = post_checkin(client).get_json()
    assert version(app) == 1
    token = csrf_token(client, "/cramps/new")
    client.patch(
        f"/api/checkins/{created['id']}", json={"notes": "x"}, headers={"X-CSRFToken": token}
    )
    assert version(app) == 2
    client.delete(f"/api/checkins/{created['id']}", headers={"X-CSRFToken": token})
    assert version(app) == 3
    session = {
        "client_id": str(uuid.uuid4()),
        "routine_slug": "gentle-lower-back-release",
        "started_at": "2026-11-20T18:00:00+00:00",
        "ended_at": "2026-11-20T18:08:00+00:00",
        "steps_completed": 5,
        "steps_total": 5,
    }
    from crampcare.seed import seed_routines

    with app.app_context():
        seed_routines()
    client.post("/api/sessions", json=session, headers={"X-CSRFToken": token})
    assert version(app) == 4
    # A refused write changes nothing, the version included.
    post_checkin(client, cramp_severity=9)
    assert version(app) == 4


def test_the_kept_dashboard_never_outlives_a_change(client, auth, app):
    auth.register()
    created = post_checkin(client, notes="Kept note one").get_json()
    assert "Kept note one" in client.get("/dashboard").get_data(as_text=True)
    # Served again from the cache: the same HTML for the panels.
    assert "Kept note one" in client.get("/dashboard").get_data(as_text=True)
    token = csrf_token(client, "/cramps/new")
    client.patch(
        f"/api/checkins/{created['id']}",
        json={"notes": "Changed note two"},
        headers={"X-CSRFToken": token},
    )
    page = client.get("/dashboard").get_data(as_text=True)
    assert "Changed note two" in page and "Kept note one" not in page
    client.delete(f"/api/checkins/{created['id']}", headers={"X-CSRFToken": token})
    assert "Changed note two" not in client.get("/dashboard").get_data(as_text=True)


def test_the_kept_dashboard_follows_units_and_range(client, auth, app):
    auth.register()
    post_checkin(client, water_ml=1000)
    assert "1000 ml" in client.get("/dashboard").get_data(as_text=True)
    client.post(
        "/account",
        data={"timezone": "UTC", "units": "floz", "csrf_token": csrf_token(client, "/account")},
    )
    assert "34 fl oz" in client.get("/dashboard").get_data(as_text=True)


def test_a_form_in_a_kept_dashboard_works_for_the_session_that_sees_it(app, auth, client):
    import re

    from .conftest import Auth

    auth.register()
    created = post_checkin(client, notes="Note from the gym").get_json()
    client.get("/dashboard")  # kept for the first device
    phone = app.test_client()
    Auth(phone).login()
    phone.get("/dashboard")
    page = phone.get("/dashboard").get_data(as_text=True)  # the phone's kept copy
    form = re.search(
        rf'action="/dashboard/checkins/{created["id"]}/delete".*?name="csrf_token" value="([^"]+)"',
        page,
        re.S,
    )
    response = phone.post(
        f"/dashboard/checkins/{created['id']}/delete", data={"csrf_token": form.group(1)}
    )
    assert response.status_code in (200, 303)
    assert "Note from the gym" in page
    assert "Note from the gym" not in phone.get("/dashboard").get_data(as_text=True)


def test_the_kept_dashboard_follows_the_profile_the_advice_reads(client, auth, app):
    auth.register()
    for day in (18, 19):
        post_checkin(
            client,
            recorded_at=f"2026-11-{day}T18:00:00+00:00",
            cramp_severity=1,
            cramp_timing="after_stretch",
        )
    before = client.get("/dashboard").get_data(as_text=True)
    assert "diuretic" not in before.lower()
    client.post(
        "/account",
        data={
            "timezone": "UTC",
            "units": "ml",
            "takes_diuretics": "y",
            "csrf_token": csrf_token(client, "/account"),
        },
    )
    with_diuretic = client.get("/dashboard").get_data(as_text=True).lower()
    assert "diuretic" in with_diuretic and "statin" not in with_diuretic
    client.post(
        "/account",
        data={
            "timezone": "UTC",
            "units": "ml",
            "takes_statins": "y",
            "csrf_token": csrf_token(client, "/account"),
        },
    )
    assert "statin" in client.get("/dashboard").get_data(as_text=True).lower()


def test_demo_history_bumps_the_version(app, runner):
    from crampcare.seed import DEMO_PATIENT

    runner.invoke(args=["demo", "--days", "14"])
    first = version(app, DEMO_PATIENT)
    runner.invoke(args=["demo", "--days", "14"])
    assert version(app, DEMO_PATIENT) > first
