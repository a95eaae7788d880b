"""Concurrent writers and a killed server: nothing acknowledged is lost or doubled.

A small, bounded version of bench/concurrency.py against real gunicorn processes.
"""

import http.client
import json
import os
import signal
import threading
import time
import uuid

import pytest
import sqlalchemy as sa

from bench.loadgen import (
    Outcome,
    Patient,
    Server,
    checkin_body,
    prepare_database,
    write_checkins,
)

from .conftest import TEST_DATABASE_URL, with_search_path

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


@pytest.fixture(params=["sqlite", "postgresql"])
def server_env(request, tmp_path):
    """The environment of a server on a fresh, migrated database."""
    if request.param == "sqlite":
        url, cleanup = f"sqlite:///{tmp_path / 'load.sqlite'}", None
    else:
        if not TEST_DATABASE_URL:
            pytest.skip("PostgreSQL runs need TEST_DATABASE_URL")
        schema = f"crampcare_load_{uuid.uuid4().hex[:8]}"
        engine = sa.create_engine(TEST_DATABASE_URL)
        with engine.begin() as connection:
            connection.execute(sa.text(f"CREATE SCHEMA {schema}"))
        url = with_search_path(TEST_DATABASE_URL, schema)

        def cleanup():
            with engine.begin() as connection:
                connection.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
            engine.dispose()

    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "load", "SECURE_COOKIES": "0"}
    prepare_database(env)
    yield env
    if cleanup:
        cleanup()


def stored_rows(url: str) -> list[tuple]:
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text(
                "SELECT u.email, c.client_id, c.cramp_severity, c.water_ml, c.exertion, c.notes "
                "FROM checkins c JOIN users u ON u.id = c.user_id"
            )
        ).all()
    engine.dispose()
    return rows


def assert_each_acknowledged_stored_once_and_whole(env, outcome: Outcome) -> None:
    rows = stored_rows(env["DATABASE_URL"])
    by_id: dict[str, list[tuple]] = {}
    for row in rows:
        by_id.setdefault(row.client_id, []).append(row)
    assert outcome.acknowledged, "no check-in was acknowledged"
    for client_id, (email, body) in outcome.acknowledged.items():
        stored = by_id.get(client_id, [])
        assert len(stored) == 1, f"{client_id} stored {len(stored)} times"
        row = stored[0]
        # The row is whole: every value as the client sent it.
        assert row.email == email
        assert (row.cramp_severity, row.water_ml, row.exertion, row.notes) == (
            body["cramp_severity"],
            body["water_ml"],
            body["exertion"],
            body["notes"],
        )
    # Nothing stored that no client sent.
    assert set(by_id) == set(outcome.acknowledged)


def test_concurrent_writers_lose_nothing(server_env):
    server = Server(server_env, workers=2).start()
    try:
        patients = [Patient(server.port, f"writer{i}@example.com", server.inbox) for i in range(6)]
        for patient in patients:
            patient.register()
        outcome = Outcome()
        write_checkins(patients, seconds=3, max_per_client=40, outcome=outcome)
    finally:
        server.stop()
    assert set(outcome.statuses) <= {200, 201}, outcome.statuses
    assert outcome.retries == 0
    assert_each_acknowledged_stored_once_and_whole(server_env, outcome)


def test_a_killed_server_loses_nothing_acknowledged(server_env):
    server = Server(server_env, workers=2).start()
    patients = [Patient(server.port, f"survivor{i}@example.com", server.inbox) for i in range(4)]
    for patient in patients:
        patient.register()
    outcome = Outcome()
    # The writers stop after a count, not a time: however slow the machine, they are
    # still writing when the server dies and after it comes back.
    writers = threading.Thread(
        target=write_checkins,
        kwargs={"patients": patients, "seconds": 600, "max_per_client": 30, "outcome": outcome},
    )
    writers.start()
    # Let some writes land, then kill the server mid-stream and bring it back.
    deadline = time.monotonic() + 120
    while len(outcome.acknowledged) < 10 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(outcome.acknowledged) >= 10, "the server acknowledged too little to kill it"
    server.kill()
    time.sleep(0.5)
    restarted = Server(server_env, workers=2, port=server.port).start()
    try:
        writers.join(timeout=600)
    finally:
        restarted.stop()
    assert not writers.is_alive()
    assert outcome.statuses.get(0, 0) + sum(
        n for status, n in outcome.statuses.items() if status >= 500
    ), "the kill should have failed some requests"
    assert_each_acknowledged_stored_once_and_whole(server_env, outcome)


def test_sigterm_lets_every_request_in_flight_finish(server_env):
    """A SIGTERM to gunicorn mid-load: answered requests are stored, and no request that
    reached the app is cut off: nothing is stored that its client did not hear about."""
    server = Server(server_env, workers=2).start()
    patients = [Patient(server.port, f"drain{i}@example.com", server.inbox) for i in range(4)]
    for patient in patients:
        patient.register()
    outcome = Outcome()
    failures: dict[str, int] = {}

    def write(index: int, patient: Patient) -> None:
        headers = {"Content-Type": "application/json", "X-CSRFToken": patient.token}
        for n in range(2_000):
            body = checkin_body(str(uuid.uuid4()), index * 100_000 + n)
            try:
                status, _ = patient._request("POST", "/api/checkins", json.dumps(body), headers)
            except http.client.IncompleteRead:
                kind = "cut mid-answer"
            except (OSError, http.client.HTTPException):
                # Refused or reset before any answer: the server was no longer taking it.
                kind = "not served"
            else:
                if status in (200, 201):
                    with outcome.lock:
                        outcome.acknowledged[body["client_id"]] = (patient.email, body)
                    continue
                kind = f"status {status}"
            with outcome.lock:
                failures[kind] = failures.get(kind, 0) + 1
            return

    writers = [
        threading.Thread(target=write, args=(i, p), daemon=True) for i, p in enumerate(patients)
    ]
    for writer in writers:
        writer.start()
    deadline = time.monotonic() + 30
    while len(outcome.acknowledged) < 20 and time.monotonic() < deadline:
        time.sleep(0.02)
    # What systemd or a container runtime does: SIGTERM to the server's main process.
    server.process.send_signal(signal.SIGTERM)
    try:
        assert server.process.wait(timeout=30) == 0, "gunicorn did not stop cleanly"
    finally:
        server.kill()
    for writer in writers:
        writer.join(timeout=30)
    assert not any(writer.is_alive() for writer in writers)
    assert len(outcome.acknowledged) >= 20
    assert set(failures) <= {"not served"}, failures
    assert_each_acknowledged_stored_once_and_whole(server_env, outcome)
