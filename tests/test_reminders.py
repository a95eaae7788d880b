"""Reminders by Web Push: when they are due, who may subscribe, and real encrypted sends.

A small push service on loopback stands in for the browsers' push services: it receives
the real VAPID-signed, aes128gcm-encrypted messages, which the test decrypts with the
subscription's private key, as a browser would.
"""

import base64
import json
import os
import threading
import time
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from py_vapid import Vapid02
from sqlalchemy import func, select

from crampcare import create_app
from crampcare.extensions import db
from crampcare.models import PushSubscription, ReminderDelivery, User, WorkoutSession
from crampcare.reminders import keys, schedule
from crampcare.reminders.service import endpoint_allowed, send_due

from .conftest import Auth, _apps_made, csrf_token, make_app

HOUR = timedelta(hours=1)
ALL_DAYS = list(schedule.WEEKDAY_CODES)


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# When a reminder is due


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (utc(2026, 6, 1, 16, 59), None),  # 17:59 in London (BST, UTC+1): a minute early
        (utc(2026, 6, 1, 17, 0), date(2026, 6, 1)),  # 18:00 in London: due
        (utc(2026, 6, 1, 17, 59, 59), date(2026, 6, 1)),  # the window's last second
        (utc(2026, 6, 1, 18, 0), None),  # the window has closed
    ],
)
def test_due_at_the_local_time_and_within_its_window(now, expected):
    assert schedule.due_day(now, "Europe/London", ["mon"], "18:00", HOUR) == expected


def test_only_on_the_chosen_days():
    monday_evening = utc(2026, 6, 1, 17, 30)
    assert schedule.due_day(monday_evening, "Europe/London", ["tue"], "18:00", HOUR) is None
    assert schedule.due_day(monday_evening, "Europe/London", [], "18:00", HOUR) is None
    assert schedule.due_day(monday_evening, "Europe/London", ["mon"], None, HOUR) is None


def test_a_window_that_opened_before_midnight_stays_open_after_it():
    # 23:50 on Monday in Tokyo; 00:10 on Tuesday is still Monday's reminder.
    tuesday_0010 = datetime(2026, 6, 2, 0, 10, tzinfo=schedule.ZoneInfo("Asia/Tokyo"))
    assert schedule.due_day(tuesday_0010, "Asia/Tokyo", ["mon"], "23:50", HOUR) == date(2026, 6, 1)


def test_clocks_going_forward_a_skipped_time_comes_an_hour_later_on_the_new_clock():
    # New York, 8 March 2026: 02:00 EST jumps to 03:00 EDT; 02:30 does not exist.
    assert (
        schedule.due_day(utc(2026, 3, 8, 7, 29), "America/New_York", ["sun"], "02:30", HOUR) is None
    )
    assert schedule.due_day(
        utc(2026, 3, 8, 7, 30), "America/New_York", ["sun"], "02:30", HOUR
    ) == date(2026, 3, 8)


def test_clocks_going_forward_a_normal_time_keeps_its_wall_clock():
    # 18:00 is 18:00 on the new offset: 22:00 UTC in summer, 23:00 UTC the day before.
    assert (
        schedule.due_day(utc(2026, 3, 8, 21, 59), "America/New_York", ["sun"], "18:00", HOUR)
        is None
    )
    assert schedule.due_day(
        utc(2026, 3, 8, 22, 0), "America/New_York", ["sun"], "18:00", HOUR
    ) == date(2026, 3, 8)
    assert schedule.due_day(
        utc(2026, 3, 7, 23, 0), "America/New_York", ["sat"], "18:00", HOUR
    ) == date(2026, 3, 7)


def test_clocks_going_back_a_time_that_happens_twice_is_due_at_the_first():
    # New York, 1 November 2026: 01:30 happens at 05:30 UTC (EDT) and at 06:30 UTC (EST).
    assert schedule.due_day(
        utc(2026, 11, 1, 5, 30), "America/New_York", ["sun"], "01:30", HOUR
    ) == date(2026, 11, 1)
    assert (
        schedule.due_day(utc(2026, 11, 1, 6, 30), "America/New_York", ["sun"], "01:30", HOUR)
        is None
    )


@pytest.mark.parametrize("value", ["18:00", "00:00", "23:59"])
def test_times_that_parse(value):
    assert schedule.parse_time(value) is not None


@pytest.mark.parametrize("value", ["", "6pm", "24:00", "18:60", "18:0", "18:00:00", None])
def test_times_that_do_not(value):
    assert schedule.parse_time(value) is None


# Which endpoints a subscription may name

HOSTS = ("fcm.googleapis.com", "*.notify.windows.com", "web.push.apple.com")


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://fcm.googleapis.com/fcm/send/abc",
        "https://wns2-par02p.notify.windows.com/w/?token=abc",
        "https://web.push.apple.com/QGuQyavXutnMH",
        "https://fcm.googleapis.com:443/fcm/send/abc",
    ],
)
def test_known_push_services_over_https_are_accepted(endpoint):
    assert endpoint_allowed(endpoint, HOSTS)


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://fcm.googleapis.com/fcm/send/abc",  # not https
        "https://fcm.googleapis.com.evil.example/x",  # a look-alike host
        "https://evil.example/fcm.googleapis.com",
        "https://notify.windows.com/x",  # the wildcard is for subdomains
        "https://fcm.googleapis.com:8443/x",  # another port
        "https://user:pw@fcm.googleapis.com/x",
        "https://127.0.0.1/push",  # loopback, not listed
        "http://169.254.169.254/latest/meta-data",
        "ftp://fcm.googleapis.com/x",
        "not a url",
    ],
)
def test_anything_else_is_refused(endpoint):
    assert not endpoint_allowed(endpoint, HOSTS)


def test_a_listed_loopback_host_may_use_http_for_tests():
    assert endpoint_allowed("http://127.0.0.1:8765/push/1", ("127.0.0.1",))
    assert not endpoint_allowed("http://127.0.0.2:8765/push/1", ("127.0.0.1",))


# A push service on loopback


class PushService:
    """Receives push messages as a browser vendor's service would; answers by path."""

    def __init__(self):
        self.received: list[dict] = []
        self.answers: dict[str, list[int]] = {}
        self.lock = threading.Lock()
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with service.lock:
                    service.received.append(
                        {
                            "path": self.path,
                            "headers": {k.lower(): v for k, v in self.headers.items()},
                            "body": body,
                        }
                    )
                    queued = service.answers.get(self.path) or [201]
                    status = queued.pop(0) if len(queued) > 1 else queued[0]
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def push_service():
    service = PushService()
    yield service
    service.close()


class Browser:
    """A browser's side of a subscription: its key pair and auth secret."""

    def __init__(self, endpoint: str):
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)
        self.endpoint = endpoint

    def subscription(self) -> dict:
        public = self.key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return {
            "endpoint": self.endpoint,
            "keys": {"p256dh": b64url(public), "auth": b64url(self.auth)},
        }

    def decrypt(self, body: bytes) -> dict:
        plain = http_ece.decrypt(
            body, private_key=self.key, auth_secret=self.auth, version="aes128gcm"
        )
        return json.loads(plain)


VAPID = Vapid02()
VAPID.generate_keys()
VAPID_PEM = VAPID.private_pem().decode()


def reminder_app(database_url: str):
    """An app that may push to the loopback service, with a VAPID key of the test's."""
    return make_app(
        database_url,
        seeded=True,
        PUSH_ENDPOINT_HOSTS=("127.0.0.1",),
        VAPID_PRIVATE_KEY=VAPID_PEM,
        VAPID_SUBJECT="mailto:reminders@example.com",
    )


@pytest.fixture
def app(database_url):
    return reminder_app(database_url)


def post_json(client, method, path, body):
    return client.open(
        path, method=method, json=body, headers={"X-CSRFToken": csrf_token(client, "/")}
    )


@pytest.fixture
def patient(client, auth):
    auth.register(email="stretcher@example.com", tz="Europe/London")
    return client


def subscribe(client, browser: Browser):
    return post_json(client, "POST", "/api/push/subscriptions", browser.subscription())


def set_reminders(app, email="stretcher@example.com", days=ALL_DAYS, at="18:00"):
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        user.reminder_days, user.reminder_time = days, at
        db.session.commit()
        db.session.remove()


def count(app, model) -> int:
    with app.app_context():
        n = db.session.scalar(select(func.count()).select_from(model))
        db.session.remove()
        return n


def run(app, now: datetime):
    with app.app_context():
        outcome = send_due(now)
        db.session.remove()
        return outcome.counts


# 18:00 in London on a summer Monday.
DUE = utc(2026, 6, 1, 17, 5)


# The subscription API


def test_the_public_key_is_the_apps(patient):
    key = patient.get("/api/push/key").get_json()["key"]
    assert key == keys.public_key(VAPID)
    assert len(unb64url(key)) == 65


def test_subscribe_then_the_same_endpoint_updates(app, patient, push_service):
    browser = Browser(f"{push_service.url}/push/one")
    first = subscribe(patient, browser)
    assert first.status_code == 201
    assert first.get_json()["endpoint"] == browser.endpoint
    browser.auth = os.urandom(16)
    again = subscribe(patient, browser)
    assert again.status_code == 200
    assert count(app, PushSubscription) == 1
    with app.app_context():
        stored = db.session.scalar(select(PushSubscription))
        assert stored.auth == b64url(browser.auth)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"endpoint": "https://evil.example/push"}, "endpoint"),
        ({"endpoint": 7}, "endpoint"),
        ({"keys": None}, "keys"),
        ({"keys": {"p256dh": "AAAA", "auth": b64url(os.urandom(16))}}, "keys.p256dh"),
        ({"keys": {"p256dh": b64url(b"\x04" + os.urandom(64)), "auth": "short"}}, "keys.auth"),
    ],
)
def test_a_bad_subscription_names_the_field_and_saves_nothing(
    app, patient, push_service, change, field
):
    body = Browser(f"{push_service.url}/push/x").subscription()
    body.update(change)
    response = post_json(patient, "POST", "/api/push/subscriptions", body)
    assert response.status_code == 400
    assert field in response.get_json()["errors"]
    assert count(app, PushSubscription) == 0


def test_clinicians_do_not_subscribe(app, client, auth, push_service):
    auth.register(email="doc@example.com", role="clinician")
    response = subscribe(client, Browser(f"{push_service.url}/push/doc"))
    assert response.status_code == 403
    assert count(app, PushSubscription) == 0


def test_unsubscribe_only_ones_own(app, client, auth, push_service):
    auth.register(email="a@example.com")
    mine = Browser(f"{push_service.url}/push/a")
    assert subscribe(client, mine).status_code == 201
    other = app.test_client()
    Auth(other).register(email="b@example.com")
    assert (
        post_json(
            other, "DELETE", "/api/push/subscriptions", {"endpoint": mine.endpoint}
        ).status_code
        == 404
    )
    assert count(app, PushSubscription) == 1
    assert (
        post_json(
            client, "DELETE", "/api/push/subscriptions", {"endpoint": mine.endpoint}
        ).status_code
        == 204
    )
    assert count(app, PushSubscription) == 0


@pytest.mark.parametrize("how", ["logout", "everywhere", "delete"])
def test_signing_out_or_deleting_the_account_ends_the_reminders(
    app, client, auth, push_service, how
):
    auth.register(email="leaver@example.com")
    assert subscribe(client, Browser(f"{push_service.url}/push/leaver")).status_code == 201
    token = csrf_token(client, "/account")
    if how == "logout":
        auth.logout()
    elif how == "everywhere":
        client.post("/account/sign-out-everywhere", data={"csrf_token": token})
    else:
        client.post(
            "/account/delete", data={"csrf_token": token, "password": "correct horse battery"}
        )
    assert count(app, PushSubscription) == 0


def test_reminder_times_are_saved_on_the_account_page(app, patient):
    token = csrf_token(patient, "/account")
    response = patient.post(
        "/account/reminders",
        data={"csrf_token": token, "reminder_days": ["mon", "thu"], "reminder_time": "07:45"},
    )
    assert response.status_code == 303
    with app.app_context():
        user = db.session.scalar(select(User))
        assert (user.reminder_days, user.reminder_time) == (["mon", "thu"], "07:45")
    page = patient.get("/account").get_data(as_text=True)
    assert 'value="07:45"' in page
    assert "Turn on reminders" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"reminder_days": ["mon"], "reminder_time": ""}, "Choose the time of day"),
        ({"reminder_days": ["mon"], "reminder_time": "7pm"}, "hours and minutes"),
        ({"reminder_days": ["someday"], "reminder_time": "07:00"}, "not a valid choice"),
    ],
)
def test_bad_reminder_times_say_why_and_save_nothing(app, patient, data, message):
    response = patient.post(
        "/account/reminders", data={"csrf_token": csrf_token(patient, "/account"), **data}
    )
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(User.reminder_time)) is None


# Sending


def verify_vapid(headers: dict, audience: str) -> dict:
    """Check the VAPID Authorization header as a push service does; return its claims."""
    scheme, _, params = headers["authorization"].partition(" ")
    assert scheme == "vapid"
    fields = dict(part.strip().split("=", 1) for part in params.split(","))
    assert fields["k"] == keys.public_key(VAPID)
    header, claims, signature = fields["t"].split(".")
    assert json.loads(unb64url(header)) == {"typ": "JWT", "alg": "ES256"}
    raw = unb64url(signature)
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(fields["k"]))
    public.verify(
        encode_dss_signature(int.from_bytes(raw[:32]), int.from_bytes(raw[32:])),
        f"{header}.{claims}".encode(),
        ec.ECDSA(hashes.SHA256()),
    )
    claims = json.loads(unb64url(claims))
    assert claims["aud"] == audience
    assert claims["sub"] == "mailto:reminders@example.com"
    assert time.time() < claims["exp"] <= time.time() + 24 * 3600
    return claims


def test_a_due_reminder_arrives_encrypted_signed_and_once(app, patient, push_service):
    browser = Browser(f"{push_service.url}/push/phone")
    assert subscribe(patient, browser).status_code == 201
    set_reminders(app)

    counts = run(app, DUE)
    assert (counts["due"], counts["sent"], counts["devices"]) == (1, 1, 1)
    (message,) = push_service.received
    assert message["path"] == "/push/phone"
    assert message["headers"]["content-encoding"] == "aes128gcm"
    assert message["headers"]["ttl"] == str(4 * 3600)
    verify_vapid(message["headers"], push_service.url)
    assert browser.decrypt(message["body"]) == {
        "title": "Time to stretch",
        "body": "A few minutes of your back routine keeps it in practice.",
        "url": "/routines/gentle-lower-back-release/play",
    }

    # The next run, minutes later, finds it claimed and sends nothing.
    again = run(app, DUE + timedelta(minutes=5))
    assert again["claimed_elsewhere"] == 1
    assert len(push_service.received) == 1


def test_not_yet_due_sends_nothing(app, patient, push_service):
    subscribe(patient, Browser(f"{push_service.url}/push/early"))
    set_reminders(app)
    assert run(app, utc(2026, 6, 1, 16, 59))["due"] == 0
    assert push_service.received == []


def test_the_tap_opens_the_routine_last_played(app, patient, push_service):
    browser = Browser(f"{push_service.url}/push/tap")
    subscribe(patient, browser)
    set_reminders(app, days=["sun"])
    with app.app_context():
        user = db.session.scalar(select(User))
        db.session.add(
            WorkoutSession(
                user_id=user.id,
                client_id="0b9f5a3e-5d7e-4f35-9a1e-0f8d3f9c2b11",
                routine_slug="upper-back-opener",
                started_at=utc(2026, 5, 30, 9),
                ended_at=utc(2026, 5, 30, 9, 8),
                steps_completed=4,
                steps_total=4,
            )
        )
        db.session.commit()
        db.session.remove()
    run(app, utc(2026, 5, 31, 17, 5))  # Sunday 18:05 in London
    (message,) = push_service.received
    assert browser.decrypt(message["body"])["url"] == "/routines/upper-back-opener/play"


def test_a_day_with_a_session_already_done_is_skipped(app, patient, push_service):
    subscribe(patient, Browser(f"{push_service.url}/push/done"))
    set_reminders(app)
    with app.app_context():
        user = db.session.scalar(select(User))
        # 07:30 London that Monday: already stretched today.
        db.session.add(
            WorkoutSession(
                user_id=user.id,
                client_id="7b2e0b4f-3c55-4f49-8d5e-2a1c9e3f6d10",
                routine_slug="gentle-lower-back-release",
                started_at=utc(2026, 6, 1, 6, 30),
                ended_at=utc(2026, 6, 1, 6, 38),
                steps_completed=5,
                steps_total=5,
            )
        )
        db.session.commit()
        db.session.remove()
    counts = run(app, DUE)
    assert counts["stretched"] == 1
    assert push_service.received == []


def test_a_gone_subscription_is_deleted(app, patient, push_service):
    subscribe(patient, Browser(f"{push_service.url}/push/gone"))
    push_service.answers["/push/gone"] = [410]
    set_reminders(app)
    counts = run(app, DUE)
    assert counts["gone"] == 1
    assert count(app, PushSubscription) == 0


def test_a_failed_send_is_tried_again_on_the_next_run(app, patient, push_service):
    browser = Browser(f"{push_service.url}/push/flaky")
    subscribe(patient, browser)
    push_service.answers["/push/flaky"] = [503, 201]
    set_reminders(app)
    first = run(app, DUE)
    assert first["failed"] == 1
    assert count(app, ReminderDelivery) == 0, "the claim is let go for the next run"
    second = run(app, DUE + timedelta(minutes=5))
    assert second["sent"] == 1
    assert len(push_service.received) == 2
    assert count(app, PushSubscription) == 1


def test_two_runs_at_once_deliver_one_message(database_url, push_service):
    first_app = reminder_app(database_url)
    client = first_app.test_client()
    Auth(client).register(email="stretcher@example.com", tz="Europe/London")
    subscribe(client, Browser(f"{push_service.url}/push/race"))
    set_reminders(first_app)
    apps = [first_app, same_database_app(first_app)]
    start = threading.Barrier(2)
    results = []

    def go(app):
        start.wait()
        results.append(run(app, DUE))

    threads = [threading.Thread(target=go, args=(app,)) for app in apps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(push_service.received) == 1
    assert sorted(r["sent"] for r in results) == [0, 1]
    assert sorted(r["claimed_elsewhere"] for r in results) == [0, 1]


def same_database_app(app):
    """A second app on the same database, as a second copy of the command would be."""
    names = ("TESTING", "SECRET_KEY", "DATABASE_URL", "PUSH_ENDPOINT_HOSTS", "VAPID_PRIVATE_KEY")
    second = create_app({name: app.config[name] for name in names})
    _apps_made.append(second)
    return second


def test_the_command_prints_what_it_did(app, patient, push_service):
    subscribe(patient, Browser(f"{push_service.url}/push/cli"))
    now = datetime.now(UTC)
    local = now.astimezone(schedule.ZoneInfo("Europe/London")) - timedelta(minutes=1)
    set_reminders(app, at=local.strftime("%H:%M"))
    result = app.test_cli_runner().invoke(args=["reminders", "send"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Reminders: 1 due, 1 sent to 1 device(s)")
    assert len(push_service.received) == 1


def test_no_reminder_after_the_account_is_deleted(app, patient, push_service):
    subscribe(patient, Browser(f"{push_service.url}/push/deleted"))
    set_reminders(app)
    patient.post(
        "/account/delete",
        data={"csrf_token": csrf_token(patient, "/account"), "password": "correct horse battery"},
    )
    assert run(app, DUE)["due"] == 0
    assert push_service.received == []
