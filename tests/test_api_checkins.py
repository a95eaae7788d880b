"""The check-in JSON API: create once, list by date, patch, delete, and who may."""

import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from crampcare.extensions import db
from crampcare.models import Checkin, User, WorkoutSession

from .conftest import Auth, csrf_token

# What the database does (stored records, a repeated client_id, the date windows in the
# user's zone, changes, deletes and whose rows a query finds) is tested on PostgreSQL too;
# a refusal made before any write, and the sign-in and CSRF checks, on SQLite.


def body(**changes) -> dict:
    """A valid check-in body."""
    data = {
        "client_id": str(uuid.uuid4()),
        "recorded_at": "2026-03-01T18:05:00+01:00",
        "cramp_severity": 1,
        "cramp_timing": "after_stretch",
        "water_ml": 300,
        "sweat": "heavy",
        "exertion": 7,
    }
    data.update(changes)
    return data


class Api:
    """JSON calls with the CSRF header a page would send."""

    def __init__(self, client):
        self.client = client
        self.token = csrf_token(client, "/")

    def post(self, data, **kwargs):
        return self.client.post(
            "/api/checkins", json=data, headers={"X-CSRFToken": self.token}, **kwargs
        )

    def patch(self, checkin_id, data):
        return self.client.patch(
            f"/api/checkins/{checkin_id}", json=data, headers={"X-CSRFToken": self.token}
        )

    def delete(self, checkin_id):
        return self.client.delete(
            f"/api/checkins/{checkin_id}", headers={"X-CSRFToken": self.token}
        )


@pytest.fixture
def api(client, auth):
    auth.register()
    return Api(client)


def count(app, model=Checkin) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(model.id)))


@pytest.mark.postgres
def test_create_answers_201_with_the_record(api, app):
    response = api.post(body(notes="After the long hold"))
    assert response.status_code == 201
    saved = response.get_json()
    assert isinstance(saved["id"], int)
    assert saved["recorded_at"] == "2026-03-01T18:05:00+01:00"
    assert saved["notes"] == "After the long hold"
    with app.app_context():
        stored = db.session.get(Checkin, saved["id"])
        assert stored.recorded_at == datetime(2026, 3, 1, 17, 5, tzinfo=UTC)
        assert stored.recorded_offset_minutes == 60


@pytest.mark.postgres
def test_the_same_client_id_and_body_answers_the_stored_record(api, app):
    data = body()
    first = api.post(data)
    again = api.post(data)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json() == first.get_json()
    assert count(app) == 1


@pytest.mark.postgres
def test_the_same_client_id_with_another_body_answers_422(api, app):
    data = body()
    api.post(data)
    response = api.post({**data, "water_ml": 900})
    assert response.status_code == 422
    assert "client_id" in response.get_json()["errors"]
    assert count(app) == 1


@pytest.mark.postgres
def test_recorded_at_may_be_left_out_and_is_the_servers_now(api, app):
    data = body()
    del data["recorded_at"]
    before = datetime.now(UTC)
    first = api.post(data)
    assert first.status_code == 201, first.get_json()
    saved = datetime.fromisoformat(first.get_json()["recorded_at"])
    assert before <= saved <= datetime.now(UTC)
    # Sent again without a time (an outbox retry): the stored record, not a 422.
    again = api.post(data)
    assert again.status_code == 200
    assert again.get_json() == first.get_json()
    assert api.post({**data, "water_ml": 900}).status_code == 422
    assert count(app) == 1


@pytest.mark.postgres
@pytest.mark.parametrize(
    "flags",
    [
        ["both_legs", "chest_pain", "dark_urine"],
        ["leg_swelling", "night_pain", "weight_loss"],
        ["saddle_numbness", "bladder_bowel", "leg_weakness", "fever", "after_injury", "long_cramp"],
    ],
    ids=["new-emergency", "new-same-day-and-see-soon", "codes-older-check-ins-carry"],
)
def test_every_red_flag_code_is_accepted(api, flags):
    response = api.post(body(red_flags=flags))
    assert response.status_code == 201, response.get_json()
    assert sorted(response.get_json()["red_flags"]) == sorted(flags)


def test_an_unknown_red_flag_is_named_and_nothing_saved(api, app):
    response = api.post(body(red_flags=["chest_pain", "headache"]))
    assert response.status_code == 400
    assert "'headache'" in response.get_json()["errors"]["red_flags"]
    assert count(app) == 0


def test_a_rejected_checkin_saves_nothing(api, app):
    response = api.post(body(cramp_severity=5, sweat="lots", mood="ok"))
    assert response.status_code == 400
    assert set(response.get_json()["errors"]) == {"cramp_severity", "sweat", "mood"}
    assert count(app) == 0


@pytest.mark.parametrize("raw", ["[1, 2]", "not json", '"text"'])
def test_a_body_that_is_not_an_object_is_refused(api, app, raw):
    response = api.client.post(
        "/api/checkins",
        data=raw,
        content_type="application/json",
        headers={"X-CSRFToken": api.token},
    )
    assert response.status_code == 400
    assert "body" in response.get_json()["errors"]
    assert count(app) == 0


@pytest.mark.postgres
def test_list_is_newest_first_and_filters_by_since_and_until(api):
    for day in ("2026-02-27", "2026-03-01", "2026-03-03"):
        api.post(body(recorded_at=f"{day}T10:00:00+00:00"))
    items = api.client.get("/api/checkins").get_json()["items"]
    assert [item["recorded_at"][:10] for item in items] == [
        "2026-03-03",
        "2026-03-01",
        "2026-02-27",
    ]
    window = api.client.get("/api/checkins?since=2026-02-28&until=2026-03-01").get_json()
    assert [item["recorded_at"][:10] for item in window["items"]] == ["2026-03-01"]
    instants = api.client.get(
        "/api/checkins", query_string={"since": "2026-03-01T10:00:00+00:00"}
    ).get_json()
    assert len(instants["items"]) == 2


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("since=yesterday", "since"),
        ("until=2026-13-01", "until"),
        ("since=2026-03-01T10:00", "since"),
    ],
)
def test_a_bad_since_or_until_is_named(api, query, field):
    response = api.client.get(f"/api/checkins?{query}")
    assert response.status_code == 400
    assert field in response.get_json()["errors"]


@pytest.mark.postgres
def test_dates_count_in_the_users_timezone(client, auth):
    auth.register(tz="Pacific/Auckland")
    api = Api(client)
    # 23:30 on 1 March in Auckland is 10:30 UTC that day.
    api.post(body(recorded_at="2026-03-01T23:30:00+13:00"))
    items = client.get("/api/checkins?since=2026-03-01&until=2026-03-01").get_json()["items"]
    assert len(items) == 1


@pytest.mark.postgres
def test_patch_changes_the_named_fields(api):
    created = api.post(body()).get_json()
    response = api.patch(created["id"], {"water_ml": 800, "cramp_severity": 0})
    assert response.status_code == 200
    changed = response.get_json()
    assert changed["water_ml"] == 800
    assert changed["cramp_timing"] is None
    assert changed["sweat"] == "heavy"


@pytest.mark.postgres
def test_a_bad_patch_changes_nothing(api, app):
    created = api.post(body()).get_json()
    response = api.patch(created["id"], {"water_ml": 9000, "pain": "bad"})
    assert response.status_code == 400
    assert set(response.get_json()["errors"]) == {"water_ml", "pain"}
    with app.app_context():
        assert db.session.get(Checkin, created["id"]).water_ml == 300


@pytest.mark.postgres
def test_delete_answers_204(api, app):
    created = api.post(body()).get_json()
    assert api.delete(created["id"]).status_code == 204
    assert count(app) == 0
    assert api.delete(created["id"]).status_code == 404


def add_session(app, email) -> int:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        session = WorkoutSession(
            user_id=user.id,
            client_id=str(uuid.uuid4()),
            routine_slug="gentle-lower-back-release",
            started_at=datetime(2026, 3, 1, 17, tzinfo=UTC),
            ended_at=datetime(2026, 3, 1, 17, 10, tzinfo=UTC),
            steps_completed=5,
            steps_total=5,
        )
        db.session.add(session)
        db.session.commit()
        return session.id


@pytest.mark.postgres
def test_a_checkin_may_name_its_own_session(api, app):
    session_id = add_session(app, "pat@example.com")
    response = api.post(body(session_id=session_id))
    assert response.status_code == 201
    assert response.get_json()["session_id"] == session_id


@pytest.mark.postgres
def test_someone_elses_session_is_refused(app, api):
    other = app.test_client()
    Auth(other).register(email="other@example.com")
    session_id = add_session(app, "other@example.com")
    response = api.post(body(session_id=session_id))
    assert response.status_code == 400
    assert set(response.get_json()["errors"]) == {"session_id"}
    assert count(app) == 0


@pytest.mark.postgres
@pytest.mark.parametrize("method", ["patch", "delete"])
def test_someone_elses_checkin_is_404(app, api, method):
    created = api.post(body()).get_json()
    other = app.test_client()
    Auth(other).register(email="other@example.com")
    other_api = Api(other)
    response = (
        other_api.patch(created["id"], {"water_ml": 1})
        if method == "patch"
        else (other_api.delete(created["id"]))
    )
    assert response.status_code == 404
    assert other.get("/api/checkins").get_json() == {"items": []}
    with app.app_context():
        assert db.session.get(Checkin, created["id"]).water_ml == 300


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/checkins"),
        ("post", "/api/checkins"),
        ("patch", "/api/checkins/1"),
        ("delete", "/api/checkins/1"),
        ("get", "/api/advice"),
    ],
)
def test_signed_out_answers_401_json(client, method, path):
    token = csrf_token(client, "/")
    response = getattr(client, method)(path, json={}, headers={"X-CSRFToken": token})
    assert response.status_code == 401
    assert response.get_json() == {"errors": {"session": "Sign in first."}}


def test_a_write_without_the_csrf_header_is_refused(api, app):
    response = api.client.post("/api/checkins", json=body())
    assert response.status_code == 400
    assert "csrf_token" in response.get_json()["errors"]
    assert count(app) == 0


def test_a_body_over_1_mb_is_refused_with_json(api, app):
    response = api.post(body(notes="x" * (1024 * 1024 + 10)))
    assert response.status_code == 413
    assert "errors" in response.get_json()
    assert count(app) == 0


@pytest.mark.parametrize("sign_in", ["register", "login"])
def test_pages_loaded_at_once_after_sign_in_carry_tokens_that_stay_good(client, auth, sign_in):
    """A phone loads its first page while the service worker fetches others to keep:
    every request leaves with the cookie the sign-in set, and whichever answer comes
    back last sets the cookie. Every page's token must still be accepted."""
    auth.register()
    if sign_in == "login":
        auth.logout()
        auth.login()
    signed_in_cookie = client.get_cookie("session").value
    tokens = []
    for path in ("/", "/cramps/new", "/routines"):
        client.set_cookie("session", signed_in_cookie)
        tokens.append(csrf_token(client, path))
    for token in tokens:
        response = client.post("/api/checkins", json=body(), headers={"X-CSRFToken": token})
        assert response.status_code == 201, response.get_json()
