"""Probes, metrics and request logs: what an operator reads, and what it must never show."""

import json
import logging
import os
import re
import socket
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from pythonjsonlogger.json import JsonFormatter
from sqlalchemy import select

from crampcare import create_app
from crampcare.extensions import db
from crampcare.models import Checkin, User
from crampcare.operations import request_log
from crampcare.operations.metrics import CHECKINS_CREATED
from crampcare.seed import seed_routines

from .conftest import PASSWORD, Auth, csrf_token, make_app

TOKEN = "metrics-secret-for-tests"


def closed_address() -> str:
    """host:port of a loopback port where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{sock.getsockname()[1]}"


class Lines(logging.Handler):
    """Every record of the request and error loggers, formatted as they are written."""

    def __init__(self):
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(self.format(record))

    def parsed(self) -> list[dict]:
        return [json.loads(line) for line in self.lines]


@pytest.fixture
def log_lines():
    """The JSON lines the app writes, formatted by its own formatter."""
    handler = Lines()
    handler.setFormatter(JsonFormatter(timestamp=False))
    loggers = [request_log.logger, request_log.error_logger]
    for logger in loggers:
        logger.addHandler(handler)
    yield handler
    for logger in loggers:
        logger.removeHandler(handler)


# Liveness and readiness


def test_healthz_answers_while_the_process_lives_even_without_its_database(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'db.sqlite'}")
    with app.app_context():
        db.engine.dispose()
    (tmp_path / "db.sqlite").unlink()
    (tmp_path / "db.sqlite").mkdir()
    client = app.test_client()
    assert client.get("/healthz").get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.get_json() == {"status": "unavailable", "down": ["database"], "database": "down"}


def test_readyz_is_ready_when_the_database_answers(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_readyz_names_an_unreachable_postgres():
    url = f"postgresql+psycopg://nobody@{closed_address()}/none?connect_timeout=2"
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "DATABASE_URL": url})
    response = app.test_client().get("/readyz")
    with app.app_context():
        db.engine.dispose()
    assert response.status_code == 503
    assert response.get_json() == {
        "status": "unavailable",
        "down": ["database"],
        "database": "down",
    }


def test_readyz_checks_redis_when_the_limits_live_there(database_url):
    redis_url = os.environ.get("TEST_REDIS_URL")
    if not redis_url:
        pytest.skip("needs TEST_REDIS_URL (a Redis server)")
    up = make_app(database_url, RATELIMIT_STORAGE_URI=redis_url)
    assert up.test_client().get("/readyz").get_json() == {
        "status": "ok",
        "database": "ok",
        "redis": "ok",
    }
    down = make_app(database_url, RATELIMIT_STORAGE_URI=f"redis://{closed_address()}/0")
    response = down.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json() == {
        "status": "unavailable",
        "down": ["redis"],
        "database": "ok",
        "redis": "down",
    }


# Metrics


@pytest.mark.parametrize("token", [None, "", "wrong"])
def test_metrics_are_hidden_without_the_token(database_url, token):
    app = make_app(database_url, METRICS_TOKEN=TOKEN)
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    assert app.test_client().get("/metrics", headers=headers).status_code == 404


def test_metrics_are_hidden_when_no_token_is_configured(client):
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 404


def metric(body: str, name: str, **labels) -> float:
    """One sample's value from the Prometheus text format (0 when absent)."""
    wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    for line in body.splitlines():
        match = re.fullmatch(rf"{name}(?:\{{(.*)\}})? (\S+)", line)
        if match and ",".join(sorted((match.group(1) or "").split(","))) == wanted:
            return float(match.group(2))
    return 0.0


@pytest.mark.postgres
def test_metrics_count_requests_records_replays_and_advice(database_url):
    app = make_app(database_url, METRICS_TOKEN=TOKEN)
    with app.app_context():
        seed_routines()
    client = app.test_client()
    bearer = {"Authorization": f"Bearer {TOKEN}"}

    def scrape() -> str:
        response = client.get("/metrics", headers=bearer)
        assert response.status_code == 200
        assert response.mimetype == "text/plain"
        return response.get_data(as_text=True)

    before = scrape()
    Auth(client).register(email="metrics@example.com")  # and confirmed through its link
    token = csrf_token(client, "/")
    body = {
        "client_id": str(uuid.uuid4()),
        "recorded_at": "2026-03-01T18:05:00+01:00",
        "cramp_severity": 0,
        "water_ml": 500,
    }
    headers = {"X-CSRFToken": token}
    assert client.post("/api/checkins", json=body, headers=headers).status_code == 201
    assert client.post("/api/checkins", json=body, headers=headers).status_code == 200
    session = {
        "client_id": str(uuid.uuid4()),
        "routine_slug": "gentle-lower-back-release",
        "started_at": "2026-03-01T18:00:00+01:00",
        "ended_at": "2026-03-01T18:07:00+01:00",
        "steps_completed": 5,
        "steps_total": 5,
    }
    assert client.post("/api/sessions", json=session, headers=headers).status_code == 201
    advice = client.get("/api/advice").get_json()["items"]
    after = scrape()

    def grew(name, **labels):
        return metric(after, name, **labels) - metric(before, name, **labels)

    assert grew("crampcare_checkins_created_total") == 1
    assert grew("crampcare_sessions_created_total") == 1
    assert grew("crampcare_outbox_replays_total", kind="checkins") == 1
    assert grew("crampcare_http_requests_total", endpoint="api.advice", method="GET", status="200")
    assert grew(
        "crampcare_http_request_duration_seconds_count", endpoint="api.advice", method="GET"
    )
    for item in advice:
        assert grew("crampcare_advice_items_shown_total", category=item["category"]) >= 1


def checkin_of(owner: int) -> Checkin:
    return Checkin(
        user_id=owner,
        client_id=str(uuid.uuid4()),
        recorded_at=datetime.now(UTC),
        recorded_offset_minutes=0,
        cramp_severity=0,
    )


def test_a_record_counts_when_committed_not_when_rolled_back(app, auth):
    auth.register()
    with app.app_context():
        owner = db.session.scalar(select(User.id))
        before = CHECKINS_CREATED._value.get()
        db.session.add(checkin_of(owner))
        db.session.flush()
        db.session.rollback()
        assert CHECKINS_CREATED._value.get() == before
        db.session.add(checkin_of(owner))
        db.session.commit()
        assert CHECKINS_CREATED._value.get() == before + 1


# Request logs


def test_each_request_is_one_json_line_with_its_id(client, auth, log_lines):
    auth.register()
    log_lines.lines.clear()
    response = client.get("/dashboard", headers={"X-Request-ID": "lb-1234"})
    assert response.headers["X-Request-ID"] == "lb-1234"
    (line,) = log_lines.parsed()
    assert line["request_id"] == "lb-1234"
    assert line["method"] == "GET"
    assert line["endpoint"] == "dashboard.index"
    assert line["status"] == 200
    assert line["duration_ms"] >= 0
    assert isinstance(line["user_id"], int)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", line["time"])


@pytest.mark.parametrize("sent", [None, "", "x" * 200, "an id with spaces", "<script>"])
def test_a_request_id_is_made_when_none_usable_was_sent(client, log_lines, sent):
    headers = {"X-Request-ID": sent} if sent is not None else {}
    made = client.get("/healthz", headers=headers).headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", made)
    assert log_lines.parsed()[-1]["request_id"] == made


REQUIRED_COLUMNS = {
    "recorded_at": datetime(2026, 3, 1, tzinfo=UTC),
    "recorded_offset_minutes": 0,
    "cramp_severity": 0,
}


@contextmanager
def inserts_refused(engine):
    """A trigger that makes every new check-in fail with a database error (not a
    constraint), dropped afterwards: the schema outlives the test on PostgreSQL."""
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            # The trigger writes to a table that no longer exists: an OperationalError.
            connection.execute(sa.text("CREATE TABLE tripwire (x)"))
            connection.execute(
                sa.text(
                    "CREATE TRIGGER refuse BEFORE INSERT ON checkins "
                    "BEGIN INSERT INTO tripwire VALUES (1); END"
                )
            )
            connection.execute(sa.text("DROP TABLE tripwire"))
        else:
            connection.execute(
                sa.text(
                    "CREATE FUNCTION refuse() RETURNS trigger AS "
                    "$$ BEGIN RAISE EXCEPTION 'refused'; END $$ LANGUAGE plpgsql"
                )
            )
            connection.execute(
                sa.text(
                    "CREATE TRIGGER refuse BEFORE INSERT ON checkins "
                    "FOR EACH ROW EXECUTE FUNCTION refuse()"
                )
            )
    try:
        yield
    finally:
        with engine.begin() as connection:
            if engine.dialect.name == "sqlite":
                connection.execute(sa.text("DROP TRIGGER refuse"))
            else:
                connection.execute(sa.text("DROP TRIGGER refuse ON checkins"))
                connection.execute(sa.text("DROP FUNCTION refuse()"))


@pytest.mark.postgres
def test_no_email_note_password_or_token_reaches_a_log_line(app, client, log_lines, caplog):
    caplog.set_level(logging.DEBUG)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    email = "private.person@example.com"
    note = "a private note about my night cramps 7f3a"
    auth = Auth(client)
    auth.register(email=email)  # and confirmed through the link mailed to it
    confirmation_link = auth.link
    client.post("/login", data={"email": email, "password": "wrong " + PASSWORD})
    token = csrf_token(client, "/")
    headers = {"X-CSRFToken": token}
    body = {
        "client_id": str(uuid.uuid4()),
        "recorded_at": "2026-03-01T18:05:00+01:00",
        "cramp_severity": 0,
        "notes": note,
    }
    assert client.post("/api/checkins", json=body, headers=headers).status_code == 201
    # Make the next insert fail inside the database, mid-request, with the note in flight.
    with app.app_context():
        engine = db.engine
    with inserts_refused(engine):
        failed = dict(body, client_id=str(uuid.uuid4()))
        assert client.post("/api/checkins", json=failed, headers=headers).status_code == 500
        # Without the app's setting, that database error would have quoted the note.
        quoting = sa.create_engine(engine.url)
        with pytest.raises(sa.exc.DBAPIError) as raised, quoting.begin() as connection:
            connection.execute(
                sa.insert(Checkin.__table__).values(
                    user_id=1, client_id="x", notes=note, **REQUIRED_COLUMNS
                )
            )
        quoting.dispose()
    assert note in str(raised.value)

    errors = [line for line in log_lines.parsed() if line["message"] == "unhandled error"]
    assert errors, "the server error was not logged"
    assert errors[-1]["error"].startswith("sqlalchemy.exc.")
    assert errors[-1]["stack"], "the error's stack frames were not logged"
    written = "\n".join([*log_lines.lines, caplog.text])
    session_cookie = client.get_cookie("session")
    secrets = [email, note, PASSWORD, token, session_cookie.value if session_cookie else None]
    secrets.append(confirmation_link.rsplit("/", 1)[-1])
    for secret in filter(None, secrets):
        assert secret not in written, "a log line carries personal data or a secret"


def test_the_json_formatter_is_installed_once(database_url):
    make_app(database_url)
    make_app(database_url)
    assert len(request_log.logger.handlers) == 1
