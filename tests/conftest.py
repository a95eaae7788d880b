"""Shared fixtures: a fresh app and database per test, on SQLite and on PostgreSQL."""

import os
import re
import uuid

import pytest
import sqlalchemy as sa

from crampcare import create_app
from crampcare.extensions import db, limiter

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
PASSWORD = "correct horse battery"
NO_POSTGRES = (
    "PostgreSQL runs need TEST_DATABASE_URL (e.g. postgresql+psycopg://postgres@127.0.0.1/test); "
    "none is set because no PostgreSQL server answered"
)
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def pytest_report_header(config):
    """Say once whether the PostgreSQL runs happen."""
    if TEST_DATABASE_URL:
        return f"database runs: SQLite and PostgreSQL ({TEST_DATABASE_URL.split('@')[-1]})"
    return f"database runs: SQLite only; PostgreSQL skipped: {NO_POSTGRES}"


def with_search_path(url: str, schema: str) -> str:
    """The same PostgreSQL URL, with every connection working in one schema."""
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}options=-csearch_path%3D{schema}"


@pytest.fixture(scope="session")
def postgres_url():
    """A schema of its own for this test run, dropped at the end."""
    if not TEST_DATABASE_URL:
        pytest.skip(NO_POSTGRES)
    schema = f"crampcare_test_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(TEST_DATABASE_URL)
    with engine.begin() as connection:
        connection.execute(sa.text(f"CREATE SCHEMA {schema}"))
    yield with_search_path(TEST_DATABASE_URL, schema)
    with engine.begin() as connection:
        connection.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """Each database test runs on SQLite and, when it answers, on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.sqlite'}"
    return request.getfixturevalue("postgres_url")


_apps_made = []


@pytest.fixture(autouse=True)
def _dispose_apps():
    """Close the database connections of every app a test made."""
    yield
    while _apps_made:
        made = _apps_made.pop()
        with made.app_context():
            db.session.remove()
            db.engine.dispose()


def make_app(database_url: str, **overrides):
    """An app for tests, its schema made fresh; its connections close after the test."""
    config = {
        "TESTING": True,
        "SECRET_KEY": "test secret key",
        "DATABASE_URL": database_url,
        "RATELIMIT_STORAGE_URI": "memory://",
        # Tests register many accounts from one address; test_rate_limits checks the default.
        "REGISTER_LIMIT": "1000 per minute",
    }
    config.update(overrides)
    app = create_app(config)
    _apps_made.append(app)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            db.drop_all()
        db.create_all()
    return app


@pytest.fixture
def app(database_url):
    """A fresh app and empty database for one test."""
    app = make_app(database_url)
    with app.app_context():
        limiter.reset()
    return app


@pytest.fixture
def client(app):
    """A test client of the app."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A CLI runner of the app."""
    return app.test_cli_runner()


def csrf_token(client, path: str = "/login") -> str:
    """Fetch a page and read the CSRF token from its meta tag, as the browser does."""
    page = client.get(path)
    match = CSRF_META.search(page.get_data(as_text=True))
    assert match, f"no csrf-token meta on {path}"
    return match.group(1)


class Auth:
    """Registers and signs in through the real routes."""

    def __init__(self, client):
        self.client = client

    def register(self, email="pat@example.com", password=PASSWORD, role="patient", tz="UTC"):
        """Create an account (which also signs in)."""
        return self.client.post(
            "/register",
            data={
                "email": email,
                "password": password,
                "role": role,
                "timezone": tz,
                "csrf_token": csrf_token(self.client, "/register"),
            },
        )

    def login(self, email="pat@example.com", password=PASSWORD, remember=False):
        """Sign in."""
        data = {"email": email, "password": password, "csrf_token": csrf_token(self.client)}
        if remember:
            data["remember"] = "y"
        return self.client.post("/login", data=data)

    def logout(self):
        """Sign out through the form."""
        return self.client.post("/logout", data={"csrf_token": csrf_token(self.client, "/")})


@pytest.fixture
def auth(client):
    """The sign-in helper bound to the test client."""
    return Auth(client)
