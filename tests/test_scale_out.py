"""Two app servers with no shared memory, on one PostgreSQL and one Redis, act as one."""

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from bench.loadgen import MailInbox, prepare_database
from crampcare import PROJECT_ROOT

from .conftest import PASSWORD, TEST_DATABASE_URL, with_search_path

TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.postgres,
    pytest.mark.skipif(
        not (TEST_DATABASE_URL and TEST_REDIS_URL),
        reason="needs PostgreSQL (TEST_DATABASE_URL) and Redis (TEST_REDIS_URL)",
    ),
]
CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def shared_environment():
    """One PostgreSQL schema, migrated, and one Redis key prefix for both servers."""
    schema = f"crampcare_scale_{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine(TEST_DATABASE_URL)
    with engine.begin() as connection:
        connection.execute(sa.text(f"CREATE SCHEMA {schema}"))
    env = {
        **os.environ,
        "DATABASE_URL": with_search_path(TEST_DATABASE_URL, schema),
        "RATELIMIT_STORAGE_URI": TEST_REDIS_URL,
        "RATELIMIT_KEY_PREFIX": f"crampcare-test-{uuid.uuid4().hex[:8]}",
        "SECRET_KEY": uuid.uuid4().hex,
        "SECURE_COOKIES": "0",
    }
    prepare_database(env)
    yield env
    with engine.begin() as connection:
        connection.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
    engine.dispose()


@contextmanager
def app_server(env):
    """A gunicorn process of its own; yields its base URL."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            "1",
            "--bind",
            f"127.0.0.1:{port}",
            "app:app",
        ],
        env=env,
        cwd=PROJECT_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        # A bound for a broken server only: a loaded machine may take long to import the app.
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"{url}/healthz", timeout=2).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError(process.stderr.read().decode()[-2000:]) from None
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stderr.close()


class Browser:
    """A cookie jar and a few requests, like one person's phone."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        handler = urllib.request.HTTPCookieProcessor(self.jar)
        self.opener = urllib.request.build_opener(handler, NoRedirect())

    def get(self, url):
        try:
            with self.opener.open(url, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            with error:
                return error.code, error.read().decode()

    def post_form(self, url, fields, token_from):
        _, page = self.get(token_from)
        fields = {**fields, "csrf_token": CSRF.search(page).group(1)}
        data = urllib.parse.urlencode(fields).encode()
        try:
            with self.opener.open(url, data=data, timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as error:
            error.close()
            return error.code


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_two_servers_share_sign_ins_and_login_limits(shared_environment):
    inbox = MailInbox().start()
    env = {**shared_environment, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(inbox.port)}
    try:
        with app_server(env) as one, app_server(env) as two:
            sign_ins_and_limits_are_shared(one, two, inbox)
    finally:
        inbox.stop()


def sign_ins_and_limits_are_shared(one: str, two: str, inbox: MailInbox) -> None:
    phone = Browser()
    registered = phone.post_form(
        f"{one}/register",
        {
            "email": "scale@example.com",
            "password": PASSWORD,
            "role": "patient",
            "timezone": "UTC",
        },
        token_from=f"{one}/register",
    )
    assert registered == 303
    # Registering signs nobody in: the mailed link, confirmed on server one, does.
    link = inbox.link("scale@example.com", "/confirm/")
    assert phone.post_form(f"{one}{link}", {}, token_from=f"{one}{link}") == 303
    # The cookie made by server one is a valid sign-in on server two…
    assert phone.get(f"{two}/account")[0] == 200
    # …and signing out on server two ends it on server one.
    assert phone.post_form(f"{two}/logout", {}, token_from=f"{two}/") == 303
    assert phone.get(f"{one}/account")[0] == 302

    # Failed attempts spread over both servers count against one account limit (5/min).
    attacker = Browser()
    statuses = [
        attacker.post_form(
            f"{server}/login",
            {"email": "scale@example.com", "password": "wrong password"},
            token_from=f"{server}/login",
        )
        for server in (one, two, one, two, one, two)
    ]
    assert statuses[:5] == [200] * 5
    assert statuses[5] == 429
