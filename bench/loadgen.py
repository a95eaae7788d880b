"""Real servers and real HTTP clients on loopback, for the load and fault checks.

Used by bench/concurrency.py (prints figures) and by tests/test_concurrency.py (a small,
bounded version that asserts nothing was lost). Every loop is bounded in time and count
and only ever talks to 127.0.0.1.
"""

from __future__ import annotations

import email
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "load test passphrase"
CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare_database(env: dict) -> None:
    """Migrate the database named in env and seed the routine library: what `flask db
    upgrade` and `flask seed` do, here in this process, which has the app imported already
    (two more interpreters would import it again, a second or two each)."""
    from flask_migrate import upgrade

    from crampcare import create_app
    from crampcare.extensions import db
    from crampcare.seed import seed_routines

    app = create_app({"DATABASE_URL": env["DATABASE_URL"], "SECRET_KEY": env["SECRET_KEY"]})
    with app.app_context():
        upgrade()
        seed_routines()
        db.session.remove()
        db.engine.dispose()


class MailInbox:
    """A real SMTP server on loopback keeping what the app mails: accounts are confirmed
    through the link in their mail, as a person would."""

    def __init__(self):
        self.port = free_port()
        self.messages: list[tuple[list[str], str]] = []
        self.lock = threading.Lock()
        self.controller = None

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        """Keep one message: its recipients and its plain-text body."""
        message = email.message_from_bytes(envelope.content)
        text = next(part for part in message.walk() if part.get_content_type() == "text/plain")
        body = text.get_payload(decode=True).decode("utf-8", "replace")
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), body))
        return "250 OK"

    def start(self) -> MailInbox:
        """Listen on self.port."""
        from aiosmtpd.controller import Controller  # only the tests and benchmarks need it

        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        """Stop listening (again is fine)."""
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def link(self, to: str, path: str, timeout: float = 30) -> str:
        """The path of the newest link under `path` mailed to `to`, waiting for it a while."""
        pattern = re.compile(rf"https?://[^/\s]+({re.escape(path)}\S+)")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                for recipients, body in reversed(self.messages):
                    found = pattern.search(body)
                    if to in recipients and found:
                        return found.group(1)
            time.sleep(0.05)
        raise RuntimeError(f"no {path} link was mailed to {to}")


class Server:
    """gunicorn serving the app on a loopback port, with its own process group, mailing
    to an inbox of its own."""

    def __init__(self, env: dict, workers: int = 4, port: int | None = None):
        self.env = env
        self.workers = workers
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None
        self.inbox = MailInbox()

    def start(self) -> Server:
        """Start and wait until /healthz answers."""
        self.inbox.start()
        env = {**self.env, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(self.inbox.port)}
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--workers",
                str(self.workers),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--graceful-timeout",
                "5",
                "app:app",
            ],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
            try:
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    return self
            except OSError:
                time.sleep(0.1)
            finally:
                connection.close()
            if self.process.poll() is not None:
                break
        raise RuntimeError("the app server did not start")

    def kill(self) -> None:
        """SIGKILL the whole server, master and workers, mid-request."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.inbox.stop()

    def stop(self) -> None:
        """Stop it gently."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
        self.inbox.stop()


def checkin_body(client_id: str, n: int) -> dict:
    """A plausible check-in whose values depend on n, so rows can be checked afterwards."""
    return {
        "client_id": client_id,
        "recorded_at": datetime.now(UTC).isoformat(),
        "cramp_severity": n % 4,
        "cramp_timing": "after_stretch" if n % 4 else None,
        "water_ml": (n * 37) % 2000,
        "electrolytes": ["sodium"] if n % 3 == 0 else [],
        "sweat": ("light", "moderate", "heavy")[n % 3],
        "exertion": 1 + n % 10,
        "notes": f"load {n}",
    }


class Patient:
    """One signed-in user with a cookie and a CSRF token, speaking plain HTTP/1.1."""

    def __init__(self, port: int, email: str, inbox: MailInbox):
        self.port = port
        self.email = email
        self.inbox = inbox
        self.cookies: dict[str, str] = {}
        self.token = ""

    def _request(self, method, path, body=None, headers=None, timeout=15):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            all_headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
            all_headers.update(headers or {})
            connection.request(method, path, body=body, headers=all_headers)
            response = connection.getresponse()
            data = response.read()
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    key, _, rest = value.partition("=")
                    self.cookies[key] = rest.split(";", 1)[0]
            return response.status, data
        finally:
            connection.close()

    def _fetch_token(self, path="/login") -> None:
        _, page = self._request("GET", path)
        self.token = CSRF.search(page.decode()).group(1)

    def _submit(self, path: str, fields: dict, what: str) -> None:
        """Send a form from the page at `path` with the page's CSRF token; a 303 or an error."""
        form = urllib.parse.urlencode({**fields, "csrf_token": self.token})
        status, _ = self._request(
            "POST", path, form, {"Content-Type": "application/x-www-form-urlencoded"}
        )
        if status != 303:
            raise RuntimeError(f"{what} answered {status}")

    def register(self) -> None:
        """Create the account through the real form, then confirm it through the mailed link
        (which signs in)."""
        self._fetch_token("/register")
        fields = {"email": self.email, "password": PASSWORD, "role": "patient", "timezone": "UTC"}
        self._submit("/register", fields, "register")
        link = self.inbox.link(self.email, "/confirm/")
        self._fetch_token(link)
        self._submit(link, {}, "the confirmation link")
        self._fetch_token("/")

    def sign_in(self, password: str) -> None:
        """Sign in through the login form, as a person would."""
        self._fetch_token("/login")
        self._submit("/login", {"email": self.email, "password": password}, "signing in")
        self._fetch_token("/")

    def get(self, path: str, headers: dict | None = None) -> tuple[int, bytes]:
        """GET a page: its status and its body as sent."""
        return self._request("GET", path, headers=headers)

    def send_json(self, method: str, path: str, body: dict | None = None) -> tuple[int, bytes]:
        """A JSON call as the page's scripts make it, CSRF header and all."""
        return self._request(
            method,
            path,
            None if body is None else json.dumps(body),
            {"Content-Type": "application/json", "X-CSRFToken": self.token},
        )

    def post_checkin(self, body: dict) -> int:
        """POST /api/checkins; the status, or 0 when the connection failed."""
        try:
            status, _ = self.send_json("POST", "/api/checkins", body)
            return status
        except (OSError, http.client.HTTPException):
            # Refused, reset, or cut off mid-answer (the server died after its commit,
            # perhaps): not acknowledged, so the caller sends the same record again.
            return 0


@dataclass
class Outcome:
    """What the clients saw."""

    acknowledged: dict[str, dict] = field(default_factory=dict)
    statuses: dict[int, int] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    retries: int = 0
    lock = threading.Lock()

    def count(self, status: int) -> None:
        with self.lock:
            self.statuses[status] = self.statuses.get(status, 0) + 1


def write_checkins(
    patients: list[Patient],
    seconds: float,
    max_per_client: int,
    outcome: Outcome,
    stop: threading.Event | None = None,
) -> None:
    """Each patient writes check-ins in its own thread, retrying a failed one with the same
    client_id until it is acknowledged, for `seconds` or `max_per_client` each."""
    stop = stop or threading.Event()
    deadline = time.monotonic() + seconds

    def run(index: int, patient: Patient) -> None:
        for n in range(max_per_client):
            if time.monotonic() > deadline or stop.is_set():
                return
            body = checkin_body(str(uuid.uuid4()), index * 100_000 + n)
            # Retry the same record until it is acknowledged, bounded by a retry deadline.
            retry_until = time.monotonic() + 60
            while time.monotonic() < retry_until:
                started = time.perf_counter()
                status = patient.post_checkin(body)
                outcome.count(status)
                if status in (200, 201):
                    with outcome.lock:
                        outcome.latencies.append(time.perf_counter() - started)
                        outcome.acknowledged[body["client_id"]] = (patient.email, body)
                    break
                with outcome.lock:
                    outcome.retries += 1
                time.sleep(0.05)

    threads = [
        threading.Thread(target=run, args=(i, p), daemon=True) for i, p in enumerate(patients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 120)


def percentile(values: list[float], fraction: float) -> float:
    """The value below which `fraction` of the values fall."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]
