"""Shared fixtures: a fresh app and database per test, on SQLite and, for the tests of the
database layer (marked `postgres`), also on PostgreSQL."""

import atexit
import os
import re
import shutil
import tempfile
import uuid
from pathlib import Path

import jinja2
import jinja2.bccache
import pytest
import sqlalchemy as sa
from hypothesis import settings
from werkzeug.routing import Rule

from crampcare import create_app
from crampcare.extensions import db, limiter, mail
from crampcare.seed import seed_routines

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
PASSWORD = "correct horse battery"
# argon2's cheapest parameters: test apps sign in hundreds of times. The production
# parameters are checked by one test of their own (tests/test_auth.py).
CHEAP_PASSWORD_HASH = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}

# `ci` (set by CI=true): fewer examples than a local run, the same strategies, and the
# same examples on every run, so a failure in CI fails again on a rerun.
settings.register_profile("ci", max_examples=50, derandomize=True, print_blob=True)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "default")
)


def examples(local: int) -> int:
    """A test's example count in this profile: `local` in a local run, scaled down in CI."""
    return max(10, local * settings.default.max_examples // 100)


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


def fresh_database(database_url: str, tmp_path) -> tuple[str, callable]:
    """An empty database for migrations: a new file, or a new PostgreSQL schema (and its drop)."""
    if database_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'migrated.sqlite'}", lambda: None
    schema = f"crampcare_mig_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(TEST_DATABASE_URL)
    with engine.begin() as connection:
        connection.execute(sa.text(f"CREATE SCHEMA {schema}"))

    def drop():
        with engine.begin() as connection:
            connection.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()

    return with_search_path(TEST_DATABASE_URL, schema), drop


def pytest_generate_tests(metafunc):
    """Every test on SQLite; a test marked `postgres` (the database layer) on PostgreSQL too."""
    if "database_url" in metafunc.fixturenames:
        runs = ["sqlite"]
        if metafunc.definition.get_closest_marker("postgres"):
            runs.append("postgresql")
        metafunc.parametrize("database_url", runs, indirect=True)


@pytest.fixture
def database_url(request, tmp_path):
    """A new SQLite file, or this run's PostgreSQL schema (emptied for each test)."""
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


def app_config(database_url: str, **overrides) -> dict:
    """The config of a test app: testing, a fixed secret key, cheap password hashes."""
    config = {
        "TESTING": True,
        "SECRET_KEY": "test secret key",
        "DATABASE_URL": database_url,
        "RATELIMIT_STORAGE_URI": "memory://",
        # Tests register many accounts from one address; test_rate_limits checks the default.
        "REGISTER_LIMIT": "1000 per minute",
        # Mail is built and recorded (mail.record_messages) but goes nowhere; the tests
        # of a real SMTP conversation name their own server and turn sending on.
        "MAIL_SERVER": "mail.invalid",
        "MAIL_SUPPRESS_SEND": True,
    }
    config.update(overrides)
    if config["TESTING"]:
        config.setdefault("PASSWORD_HASH_PARAMETERS", CHEAP_PASSWORD_HASH)
    return config


_schema_files: dict[str, Path] = {}
_schemas_made: set[str] = set()


def _sqlite_schema_file(seeded: bool) -> Path:
    """A database with the schema, empty or with the routine library, made once per test
    process and copied per test."""
    kind = "seeded" if seeded else "empty"
    if kind not in _schema_files:
        folder = Path(tempfile.mkdtemp(prefix="crampcare-schema-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        path = folder / f"{kind}.sqlite"
        app = create_app(app_config(f"sqlite:///{path}"))
        with app.app_context():
            db.create_all()
            if seeded:
                seed_routines()
            db.session.remove()
            db.engine.dispose()
        _schema_files[kind] = path
    return _schema_files[kind]


def _empty_database(app, copied: bool) -> None:
    """The schema, empty: SQLite files start as a copy, PostgreSQL tables are truncated."""
    url = sa.engine.make_url(app.config["DATABASE_URL"])
    if url.get_backend_name() == "postgresql":
        if str(url) not in _schemas_made:
            db.drop_all()
            db.create_all()
            _schemas_made.add(str(url))
            return
        tables = ", ".join(f'"{table.name}"' for table in db.metadata.sorted_tables)
        db.session.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        db.session.commit()
        return
    if not copied:  # a file a test made itself
        db.create_all()


class SharedBytecode(jinja2.BytecodeCache):
    """Compiled templates kept for the whole test process. Each test makes a new app, and a
    new app's Jinja environment would compile every template it renders again; a template
    whose source changes has a new key, so it is compiled afresh."""

    def __init__(self):
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


TEMPLATES = SharedBytecode()


def _keep_url_builders() -> None:
    """Werkzeug writes and compiles Python source for two URL builders of every rule of
    every new app: about three quarters of create_app, and each test makes an app with the
    same rules. A builder's code depends only on the rule's text, its parsed parts, its
    defaults and whether it appends unknown arguments (the rule itself is passed in when it
    is called), so the test process compiles each one once."""
    compile_builder = Rule._compile_builder
    kept = {}

    def kept_builder(rule: Rule, append_unknown: bool = True):
        defaults = sorted((rule.defaults or {}).items())
        key = (rule.rule, tuple(rule._trace), repr(defaults), append_unknown)
        if key not in kept:
            kept[key] = compile_builder(rule, append_unknown)
        return kept[key]

    Rule._compile_builder = kept_builder


_keep_url_builders()


def make_app(database_url: str, seeded: bool = False, **overrides):
    """An app for tests on an empty database, or one with the routine library (`seeded`);
    its connections close after the test."""
    url = sa.engine.make_url(database_url)
    copied = url.get_backend_name() == "sqlite" and bool(url.database)
    copied = copied and not Path(url.database).exists()
    if copied:
        shutil.copyfile(_sqlite_schema_file(seeded), url.database)
    app = create_app(app_config(database_url, **overrides))
    app.jinja_env.bytecode_cache = TEMPLATES
    _apps_made.append(app)
    with app.app_context():
        _empty_database(app, copied)
        if seeded and not copied:
            seed_routines()
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


CONFIRM_LINK = re.compile(r"https?://[^/\s]+(/confirm/\S+)")


def confirmation_link(messages, email: str) -> str | None:
    """The path of the newest confirmation link mailed to this address, if any."""
    address = email.strip().lower()
    for message in reversed(messages):
        found = CONFIRM_LINK.search(message.body)
        if address in message.recipients and found:
            return found.group(1)
    return None


class Auth:
    """Registers and signs in through the real routes."""

    def __init__(self, client):
        self.client = client
        # The last registration's confirmation link, and the answer to pressing its button.
        self.link = None
        self.confirmed = None

    def register(
        self, email="pat@example.com", password=PASSWORD, role="patient", tz="UTC", confirm=True
    ):
        """Register through the form, then, as a person would, open the mailed link and press
        its button, which signs in (unless confirm=False). Returns the form's own answer."""
        with mail.record_messages() as outbox:
            response = self.client.post(
                "/register",
                data={
                    "email": email,
                    "password": password,
                    "role": role,
                    "timezone": tz,
                    "csrf_token": csrf_token(self.client, "/register"),
                },
            )
        self.link = confirmation_link(outbox, email)
        self.confirmed = None
        if confirm and self.link:
            self.confirmed = self.confirm(self.link)
            assert self.confirmed.status_code == 303, self.confirmed.get_data(as_text=True)
        return response

    def confirm(self, link):
        """Open a confirmation link's page and press its button."""
        return self.client.post(link, data={"csrf_token": csrf_token(self.client, link)})

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
