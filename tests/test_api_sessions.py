"""POST and GET /api/sessions: validation, create-once by client_id, and privacy."""

import uuid

import pytest
from sqlalchemy import func, select

from crampcare.extensions import db
from crampcare.models import Routine, User, WorkoutSession
from crampcare.seed import seed_routines

from .conftest import Auth, csrf_token

# What the database does (the stored record, a repeated client_id, whose routines a query
# finds, the list's order) is tested on PostgreSQL too; a refusal happens before any write.

SLUG = "gentle-lower-back-release"


@pytest.fixture
def patient(app, client, auth):
    """A signed-in patient with the library seeded; returns their CSRF token."""
    with app.app_context():
        seed_routines()
    auth.register()
    return csrf_token(client, "/routines")


def body(**changes) -> dict:
    """A valid session body, with some fields changed (None removes a field)."""
    values = {
        "client_id": str(uuid.uuid4()),
        "routine_slug": SLUG,
        "started_at": "2026-03-01T18:00:00.250+01:00",
        "ended_at": "2026-03-01T18:07:24.250+01:00",
        "steps_completed": 5,
        "steps_total": 5,
    }
    values.update(changes)
    return {name: value for name, value in values.items() if value is not None}


def post(client, token, payload):
    """Send a session as the player does."""
    return client.post("/api/sessions", json=payload, headers={"X-CSRFToken": token})


def count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(WorkoutSession.id)))


@pytest.mark.postgres
def test_create_answers_201_with_the_record(client, app, patient):
    payload = body()
    response = post(client, patient, payload)
    assert response.status_code == 201
    record = response.get_json()
    assert isinstance(record["id"], int)
    assert record["client_id"] == payload["client_id"]
    assert record["routine_slug"] == SLUG
    assert record["steps_completed"] == record["steps_total"] == 5
    assert record["started_at"] == "2026-03-01T17:00:00.250000+00:00"
    assert count(app) == 1


BAD = [
    ("client_id", 42),
    ("client_id", "not-a-uuid"),
    ("client_id", "g" * 36),
    ("routine_slug", 7),
    ("routine_slug", "no-such-routine"),
    ("started_at", "2026-03-01T18:00:00"),
    ("started_at", "yesterday"),
    ("started_at", 1772384400),
    ("ended_at", "2026-03-01T17:59:59+01:00"),
    ("ended_at", "2026-13-01T18:00:00+01:00"),
    ("steps_completed", "5"),
    ("steps_completed", -1),
    ("steps_completed", 2.5),
    ("steps_completed", True),
    ("steps_completed", 6),
    ("steps_total", 0),
    ("steps_total", 1001),
    ("steps_total", [5]),
]


@pytest.mark.parametrize(("field", "value"), BAD, ids=[f"{f}={v!r}" for f, v in BAD])
def test_a_bad_field_is_named_and_nothing_saved(client, app, patient, field, value):
    response = post(client, patient, body(**{field: value}))
    assert response.status_code == 400
    assert list(response.get_json()["errors"]) == [field]
    assert count(app) == 0


@pytest.mark.parametrize(
    "field",
    ["client_id", "routine_slug", "started_at", "ended_at", "steps_completed", "steps_total"],
)
def test_a_missing_field_is_named(client, app, patient, field):
    response = post(client, patient, body(**{field: None}))
    assert response.status_code == 400
    assert field in response.get_json()["errors"]
    assert count(app) == 0


def test_every_bad_field_is_named_at_once_and_unknown_fields_too(client, app, patient):
    payload = {"client_id": 1, "routine_slug": "", "started_at": "", "steps_total": -3, "mood": 1}
    response = post(client, patient, payload)
    assert response.status_code == 400
    assert set(response.get_json()["errors"]) == {
        "client_id",
        "routine_slug",
        "started_at",
        "ended_at",
        "steps_completed",
        "steps_total",
        "mood",
    }
    assert count(app) == 0


def test_a_body_that_is_not_an_object_is_refused(client, app, patient):
    response = client.post(
        "/api/sessions",
        data="[1, 2]",
        headers={"X-CSRFToken": patient, "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert "body" in response.get_json()["errors"]


@pytest.mark.postgres
def test_the_same_client_id_is_stored_once(client, app, patient):
    payload = body()
    first = post(client, patient, payload)
    again = post(client, patient, payload)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json() == first.get_json()
    changed = post(client, patient, {**payload, "steps_completed": 3})
    assert changed.status_code == 422
    assert "client_id" in changed.get_json()["errors"]
    assert count(app) == 1


@pytest.mark.postgres
def test_own_routine_is_accepted_but_not_another_users(client, app, patient):
    Auth(app.test_client()).register(email="owner@example.com")
    with app.app_context():
        owner_id = db.session.scalar(select(User.id).where(User.email == "owner@example.com"))
        patient_id = db.session.scalar(select(User.id).where(User.email == "pat@example.com"))
        db.session.add(Routine(slug="owners-own-abc123", title="Theirs", owner_id=owner_id))
        db.session.commit()
    response = post(client, patient, body(routine_slug="owners-own-abc123"))
    assert response.status_code == 400
    assert "routine_slug" in response.get_json()["errors"]
    with app.app_context():
        db.session.add(Routine(slug="mine-abc123", title="Mine", owner_id=patient_id))
        db.session.commit()
    assert post(client, patient, body(routine_slug="mine-abc123")).status_code == 201


@pytest.mark.postgres
def test_list_holds_only_your_sessions_newest_first(client, app, patient):
    older = post(client, patient, body(started_at="2026-03-01T08:00:00+00:00")).get_json()
    newer = post(client, patient, body(started_at="2026-03-01T17:30:00+01:00")).get_json()
    other = app.test_client()
    Auth(other).register(email="other@example.com")
    assert post(other, csrf_token(other, "/routines"), body()).status_code == 201

    items = client.get("/api/sessions").get_json()["items"]
    assert [item["id"] for item in items] == [newer["id"], older["id"]]
    assert len(other.get("/api/sessions").get_json()["items"]) == 1


def test_signed_out_answers_401_in_json(client, app):
    with app.app_context():
        seed_routines()
    token = csrf_token(client, "/routines")
    for response in (client.get("/api/sessions"), post(client, token, body())):
        assert response.status_code == 401
        assert response.get_json() == {"errors": {"session": "Sign in first."}}
    assert count(app) == 0


def test_a_write_without_the_csrf_header_is_refused(client, app, patient):
    response = client.post("/api/sessions", json=body())
    assert response.status_code == 400
    assert "csrf_token" in response.get_json()["errors"]
    assert count(app) == 0
