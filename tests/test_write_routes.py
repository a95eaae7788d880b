"""Every write route refuses a request without the CSRF token, even from a signed-in user.

The routes are read from the URL map (every rule that takes POST, PUT, PATCH or
DELETE, in any blueprint), so a new write route is covered the day it is added; one
exempted from CSRF would reach its view and fail here.
"""

import re

import pytest
from sqlalchemy import select

from crampcare.extensions import db
from crampcare.models import (
    LoginSession,
    Routine,
    Step,
)

from .conftest import csrf_token, make_app
from .records import add_checkin, add_session, every_row, share_between, signed_in, user_id

WRITES = {"POST", "PUT", "PATCH", "DELETE"}
OWNER = "owner@example.com"
# The CSRF error page's heading: Flask-WTF's reason, then our advice.
CSRF_REFUSAL = re.compile(r"<h1>The CSRF [^<]*Reload the page and try again.</h1>")
PARAM = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


def owner_records(app, client) -> dict[str, object]:
    """Real records of the signed-in owner, one of each kind a path can name."""
    made = client.post(
        "/routines/new",
        data={"title": "Mine", "area": "lower", "csrf_token": _token(client)},
    )
    slug = made.location.rsplit("/", 2)[-2]
    client.post(
        f"/routines/{slug}/steps",
        data={
            "title": "Cat-cow",
            "instructions": "Slowly.",
            "hold_seconds": "20",
            "reps": "1",
            "side": "none",
            "rest_seconds": "5",
            "csrf_token": _token(client),
        },
    )
    session_id = add_session(app, OWNER)
    with app.app_context():
        owner = user_id(app, OWNER)
        step_id = db.session.scalar(select(Step.id).join(Routine).where(Routine.slug == slug))
        device_id = db.session.scalar(select(LoginSession.id).where(LoginSession.user_id == owner))
        db.session.remove()
    return {
        "slug": slug,
        "step_id": step_id,
        "device_id": device_id,
        "checkin_id": add_checkin(app, OWNER, session_id=session_id),
        "session_id": session_id,
        "share_id": share_between(app, OWNER, "doc@example.com"),
        "patient_id": owner,
    }


def _token(client) -> str:
    return csrf_token(client, "/")


def write_rules(app):
    """(method, rule) for every write the URL map knows."""
    return [
        (method, rule)
        for rule in app.url_map.iter_rules()
        for method in sorted((rule.methods or set()) & WRITES)
    ]


def fill(rule, records: dict[str, object]) -> str:
    """The rule's path with each parameter set to one of the owner's records (else 1)."""
    return PARAM.sub(lambda match: str(records.get(match.group(2), 1)), rule.rule)


@pytest.fixture
def write_app(tmp_path):
    """An app on SQLite with a signed-in patient who owns one record of every kind."""
    return make_app(f"sqlite:///{tmp_path / 'writes.sqlite'}")


@pytest.mark.parametrize("token", [None, "not-the-token"], ids=["missing", "wrong"])
def test_every_write_route_needs_the_csrf_token(write_app, token):
    app = write_app
    owner = signed_in(app, OWNER)
    clinician = signed_in(app, "doc@example.com", "clinician")
    records = owner_records(app, owner)
    # Both hold a page, so their sessions carry a CSRF secret, as a real browser's would.
    _token(clinician)
    rules = write_rules(app)
    endpoints = {rule.endpoint for _, rule in rules}
    # The walk sees the routes it must: the forms, the JSON API, every blueprint.
    assert {"auth.logout", "api.create_checkin", "api.update_checkin", "clinician.redeem"} <= (
        endpoints
    )
    assert {endpoint.split(".")[0] for endpoint in endpoints} >= {
        "auth",
        "routines",
        "checkins",
        "dashboard",
        "clinician",
        "sharing",
        "api",
    }
    before = every_row(app)
    failures = []
    for method, rule in rules:
        path = fill(rule, records)
        client = clinician if rule.endpoint.startswith("clinician.") else owner
        headers = {"X-CSRFToken": token} if token else {}
        if path.startswith("/api/"):
            response = client.open(path, method=method, json={}, headers=headers)
        else:
            form = {"csrf_token": token} if token else {}
            response = client.open(path, method=method, data=form, headers=headers)
        label = f"{method} {path}"
        if response.status_code != 400:
            failures.append(f"{label}: {response.status_code}, not 400")
        elif path.startswith("/api/"):
            errors = (response.get_json() or {}).get("errors", {})
            if set(errors) != {"csrf_token"}:
                failures.append(f"{label}: errors {errors}, not csrf_token")
        elif not CSRF_REFUSAL.search(response.get_data(as_text=True)):
            failures.append(f"{label}: a 400, but not the CSRF refusal")
    assert not failures, "\n".join(failures)
    assert every_row(app) == before
    # Still signed in: the refused requests (logout among them) did nothing.
    assert owner.get("/account").status_code == 200
