"""The logbook's one write path: create once under a race, and no view writing by itself."""

import ast
import itertools
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest
from sqlalchemy import event, func, select

from crampcare.extensions import db
from crampcare.models import Checkin

from .conftest import Auth, csrf_token

PATIENT = "pat@example.com"
CRAMPCARE = Path(__file__).parent.parent / "crampcare"


def signed_in_twice(app):
    """Two clients, each with its own sign-in, of one patient: two phones, one person."""
    first, second = app.test_client(), app.test_client()
    Auth(first).register(PATIENT)
    Auth(second).login(PATIENT)
    return first, second


def form_submit(client, client_id: str):
    """A no-JavaScript check-in form as the browser posts it: no time, one client_id."""
    data = {
        "csrf_token": csrf_token(client, "/checkins/new"),
        "client_id": client_id,
        "recorded_at": "",
        "cramp_severity": "0",
        "water_ml": "400",
        "water_unit": "ml",
    }
    return lambda: client.post("/checkins/new", data=data)


def api_submit(client, client_id: str):
    """The same check-in as the JSON API (and an outbox replay) sends it."""
    body = {
        "client_id": client_id,
        "recorded_at": "2026-03-01T18:05:00+01:00",
        "cramp_severity": 0,
        "water_ml": 400,
    }
    headers = {"X-CSRFToken": csrf_token(client, "/")}
    return lambda: client.post("/api/checkins", json=body, headers=headers)


def meet_after_lookup(app) -> None:
    """Hold each request after it looked for the client_id until both have looked.

    Neither then finds the other's check-in, and the unique index settles the race.
    Only PostgreSQL lets two writers get this far at once; SQLite's BEGIN IMMEDIATE
    queues the second request before its first read.
    """
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "postgresql":
        return
    barrier = threading.Barrier(2, timeout=20)
    lookups = itertools.count()

    def wait_for_the_other(_conn, _cursor, statement, _params, _context, _many):
        lookup = "FROM checkins" in statement and "checkins.client_id =" in statement
        # The first lookup of each request; the loser looks again after its rollback.
        if lookup and next(lookups) < 2:
            barrier.wait()

    event.listen(engine, "after_cursor_execute", wait_for_the_other)


def run_together(*requests):
    """Send requests from threads of their own, released at one moment; their responses."""
    start = threading.Barrier(len(requests), timeout=20)
    answers: list = [None] * len(requests)
    failures: list[BaseException] = []

    def run(index, request):
        try:
            start.wait()
            answers[index] = request()
        except BaseException as error:  # noqa: BLE001 - reported by the test below
            failures.append(error)

    threads = [
        threading.Thread(target=run, args=(index, request))
        for index, request in enumerate(requests)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures, f"a request failed: {failures!r}"
    return answers


def stored(app, client_id: str) -> int:
    with app.app_context():
        count = db.session.scalar(
            select(func.count()).select_from(Checkin).where(Checkin.client_id == client_id)
        )
        db.session.remove()
        return count


@pytest.mark.parametrize(
    ("submit", "statuses"),
    [(form_submit, [303, 303]), (api_submit, [200, 201])],
    ids=["no-js-form", "json-api"],
)
def test_two_identical_submits_at_once_store_one_checkin(app, submit, statuses):
    client_id = str(uuid.uuid4())
    first, second = signed_in_twice(app)
    requests = (submit(first, client_id), submit(second, client_id))
    meet_after_lookup(app)
    answers = run_together(*requests)
    assert sorted(answer.status_code for answer in answers) == statuses
    assert stored(app, client_id) == 1
    if submit is form_submit:
        # Both phones land on the dashboard with the same word, as after one submit.
        for client, answer in zip((first, second), answers, strict=True):
            assert answer.headers["Location"].endswith("/dashboard")
            page = client.get(answer.headers["Location"]).get_data(as_text=True)
            assert "Check-in saved." in page
    else:
        assert answers[0].get_json() == answers[1].get_json()


def test_a_changed_resend_at_once_keeps_the_first_and_says_so(app):
    client_id = str(uuid.uuid4())
    first, second = signed_in_twice(app)
    same = form_submit(first, client_id)
    data = {
        "csrf_token": csrf_token(second, "/checkins/new"),
        "client_id": client_id,
        "cramp_severity": "0",
        "water_ml": "900",
        "water_unit": "ml",
    }
    meet_after_lookup(app)
    answers = run_together(same, lambda: second.post("/checkins/new", data=data))
    assert sorted(answer.status_code for answer in answers) == [200, 303]
    refused = next(answer for answer in answers if answer.status_code == 200)
    assert "This check-in was already saved" in refused.get_data(as_text=True)
    assert stored(app, client_id) == 1


LOGBOOK_MODELS = ("Checkin", "WorkoutSession")


def writes_in(source: str) -> list[str]:
    """Where a module builds, adds, changes or deletes a check-in or a session itself."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        called = ast.unparse(node.func)
        first = ast.unparse(node.args[0]).lower() if node.args else ""
        touches_log = "checkin" in first or "session" in first
        if called in LOGBOOK_MODELS or (
            called in ("db.session.add", "db.session.delete", "setattr") and touches_log
        ):
            found.append(f"line {node.lineno}: {ast.unparse(node)[:60]}")
    return found


VIEW_MODULES = sorted([*CRAMPCARE.glob("*/routes.py"), *CRAMPCARE.glob("api/*.py")])


def test_the_write_check_finds_a_view_that_writes_by_itself():
    view = (
        "def edit(checkin_id):\n"
        "    checkin = get_checkin_or_404(checkin_id)\n"
        "    setattr(checkin, 'notes', 'x')\n"
        "    db.session.add(Checkin(user_id=1))\n"
        "    db.session.delete(get_checkin_or_404(checkin_id))\n"
    )
    assert len(writes_in(view)) == 4


@pytest.mark.parametrize("path", VIEW_MODULES, ids=lambda path: str(path.relative_to(CRAMPCARE)))
def test_no_view_module_writes_a_checkin_or_a_session_itself(path):
    assert writes_in(path.read_text()) == []


def test_the_data_version_listener_is_turned_on_by_the_factory_not_by_import(tmp_path):
    script = f"""
from sqlalchemy import event
from sqlalchemy.orm import Session

from crampcare.logbook import versions

assert not event.contains(Session, "before_flush", versions.bump_data_versions)
from crampcare import create_app

create_app({{"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": "sqlite:///{tmp_path}/v.db"}})
assert event.contains(Session, "before_flush", versions.bump_data_versions)
"""
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=CRAMPCARE.parent, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
