"""Hardening (SPEC §11 v2): limits counted atomically, passwords, sign-in lifetime,
proxies, quiet registration, deep JSON, caching, clinicians' own logs, deletion traces
and account recovery by mail."""

import os
import re
import socket
import threading
import time
import uuid
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import inspect, select, text

from crampcare import config
from crampcare.extensions import db
from crampcare.logins import account_tag
from crampcare.models import AuditEvent, LoginSession, User, utcnow
from crampcare.passwords import hash_password

from .conftest import PASSWORD, Auth, csrf_token, fresh_database, make_app


@pytest.fixture
def sqlite_app(tmp_path):
    """One SQLite app per test (these rules do not depend on the database)."""
    return make_app(f"sqlite:///{tmp_path / 'hardening.sqlite'}")


def _client_of(app):
    client = app.test_client()
    return client, Auth(client)


# 1. Login limits are counted before the password is checked.
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "")


@pytest.fixture(params=["memory", "redis"])
def limit_storage(request):
    """The limiter's storage: memory (one process) and Redis (several servers) when set."""
    if request.param == "memory":
        return {"RATELIMIT_STORAGE_URI": "memory://"}
    if not TEST_REDIS_URL:
        pytest.skip("the Redis run needs TEST_REDIS_URL (a database other than 0)")
    return {
        "RATELIMIT_STORAGE_URI": TEST_REDIS_URL,
        "RATELIMIT_KEY_PREFIX": f"crampcare-test-{uuid.uuid4().hex[:8]}",
    }


@pytest.mark.postgres
def test_fifteen_concurrent_wrong_guesses_get_at_most_five_checks(database_url, limit_storage):
    app = make_app(database_url, WTF_CSRF_ENABLED=False, **limit_storage)
    _client_of(app)[1].register()
    start = threading.Barrier(15)
    statuses = []

    def guess(number):
        client = app.test_client()
        start.wait()
        data = {"email": "pat@example.com", "password": f"wrong guess number {number}"}
        statuses.append(client.post("/login", data=data).status_code)

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(15)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200] * 5 + [429] * 10
    with app.app_context():
        failed = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "login_failed")
        ).all()
    assert len(failed) == 5


def test_successful_sign_ins_do_not_use_up_the_account_limit(sqlite_app):
    client, auth = _client_of(sqlite_app)
    auth.register()
    for _ in range(4):
        auth.logout()
        assert auth.login(password="wrong password here").status_code == 200
    for _ in range(3):
        auth.logout()
        assert auth.login().status_code == 303
    auth.logout()
    assert auth.login(password="wrong password here").status_code == 200
    assert auth.login(password="wrong password here").status_code == 429


# 2. Re-entering the password is limited per account.
def test_password_reentry_is_limited_per_account(sqlite_app):
    client, auth = _client_of(sqlite_app)
    auth.register()
    answers = []
    for path, field in [("/account/password", "current_password")] * 3 + [
        ("/account/delete", "password")
    ] * 3:
        data = {field: "not my password", "new_password": "another fine passphrase"}
        data["csrf_token"] = csrf_token(client, "/account")
        answers.append(client.post(path, data=data).status_code)
    assert answers == [200] * 5 + [429]


# 3. Registration is limited per address; the default is 10 per hour.
def test_registration_is_limited_per_address_by_default(tmp_path):
    default = config.defaults(str(tmp_path))["REGISTER_LIMIT"]
    assert default == "10 per hour"
    app = make_app(f"sqlite:///{tmp_path / 'reg.sqlite'}", REGISTER_LIMIT=default)
    answers = []
    for number in range(11):
        auth = _client_of(app)[1]
        answers.append(auth.register(email=f"p{number}@example.com").status_code)
    assert answers == [303] * 10 + [429]


# 4. Common passwords are refused with the reason; spaces are no password.
@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("1234567890", "common password"),
        ("password12", "very common password"),
        ("qwertyuiop", "common password"),
        ("aaaaaaaaaa", "Repeats like"),
        (" " * 12, "only spaces is not a password"),
        ("pat@example.com", "too easy to guess"),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(sqlite_app, password, reason):
    client, auth = _client_of(sqlite_app)
    response = auth.register(password=password)
    assert response.status_code == 200
    assert reason in response.get_data(as_text=True)
    with sqlite_app.app_context():
        assert db.session.scalar(select(User.id)) is None


def test_a_weak_password_from_before_the_rules_still_signs_in_and_is_told(sqlite_app):
    with sqlite_app.app_context():
        # Made before the rules, and so before email confirmation: migration 0010 confirmed it.
        old = User(email="old@example.com", password_hash=hash_password("password12"))
        old.email_confirmed_at = utcnow()
        db.session.add(old)
        db.session.commit()
    client, auth = _client_of(sqlite_app)
    assert auth.login(email="old@example.com", password="password12").status_code == 303
    assert "easy to guess" in client.get("/").get_data(as_text=True)


def test_the_new_password_of_a_change_meets_the_same_rules(sqlite_app):
    client, auth = _client_of(sqlite_app)
    auth.register()
    data = {"current_password": PASSWORD, "new_password": "qwertyuiop"}
    data["csrf_token"] = csrf_token(client, "/account")
    response = client.post("/account/password", data=data)
    assert "common password" in response.get_data(as_text=True)


# 5. A sign-in ends after LOGIN_MAX_DAYS whatever its use.
def test_a_sign_in_ends_after_its_lifetime_even_in_use(sqlite_app):
    client, auth = _client_of(sqlite_app)
    auth.register()
    assert client.get("/account").status_code == 200
    with sqlite_app.app_context():
        login = db.session.scalar(select(LoginSession))
        login.created_at = utcnow() - timedelta(days=91)
        login.last_seen_at = utcnow()
        db.session.commit()
    assert client.get("/account").status_code == 302


# 6. TRUSTED_PROXIES: forwarded addresses count only behind the named proxies.
def _failed_logins_from(app, forwarded_for: str) -> int:
    client = app.test_client()
    data = {"email": "x@example.com", "password": "wrong password here"}
    data["csrf_token"] = csrf_token(client)
    headers = {"X-Forwarded-For": forwarded_for}
    return client.post("/login", data=data, headers=headers).status_code


def test_forwarding_headers_are_ignored_without_trusted_proxies(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'p.sqlite'}", LOGIN_LIMIT_PER_ADDRESS="2 per minute")
    answers = [_failed_logins_from(app, f"203.0.113.{n}") for n in range(3)]
    assert answers == [200, 200, 429]
    with app.app_context():
        addresses = set(db.session.scalars(select(AuditEvent.address)))
    assert addresses == {"127.0.0.1"}


def test_trusted_proxies_give_each_client_its_own_address(tmp_path):
    app = make_app(
        f"sqlite:///{tmp_path / 'p.sqlite'}",
        LOGIN_LIMIT_PER_ADDRESS="2 per minute",
        TRUSTED_PROXIES=1,
    )
    answers = [_failed_logins_from(app, f"203.0.113.{n}") for n in range(3)]
    assert answers == [200, 200, 200]
    with app.app_context():
        addresses = set(db.session.scalars(select(AuditEvent.address)))
    assert addresses == {"203.0.113.0", "203.0.113.1", "203.0.113.2"}


# 7 and 14 use a real SMTP server on loopback.
class Inbox:
    """Collects what the local SMTP server received."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.messages.append((envelope.rcpt_tos, envelope.content.decode("utf-8", "replace")))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def inbox():
    """A real SMTP server on a free loopback port."""
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield handler, controller.port
    controller.stop()


@pytest.fixture
def mail_app(tmp_path, inbox):
    """An app that sends its mail to the local SMTP server."""
    return make_app(
        f"sqlite:///{tmp_path / 'mail.sqlite'}",
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=inbox[1],
        MAIL_SUPPRESS_SEND=False,
        MAIL_DEFAULT_SENDER="care@example.org",
    )


def test_registration_answers_the_same_for_a_taken_email(mail_app, inbox):
    _client_of(mail_app)[1].register(email="taken@example.com")  # and confirmed
    first, first_auth = _client_of(mail_app)
    new = first_auth.register(
        email="new@example.com", password="a brand new passphrase", confirm=False
    )
    second, second_auth = _client_of(mail_app)
    taken = second_auth.register(
        email="taken@example.com", password="another fine passphrase", confirm=False
    )
    assert (new.status_code, new.headers["Location"]) == (
        taken.status_code,
        taken.headers["Location"],
    )
    with first.session_transaction() as one, second.session_transaction() as two:
        assert one["_flashes"] == two["_flashes"]
    # Through a real SMTP server: the new address gets its link, the taken one a note.
    received = {tuple(to): content for to, content in inbox[0].messages[1:]}
    assert "/confirm/" in received[("new@example.com",)]
    assert "already has one" in received[("taken@example.com",)]
    with mail_app.app_context():
        assert len(db.session.scalars(select(User)).all()) == 2


def _reset_link(messages) -> str:
    body = messages[-1][1].replace("=\n", "")
    return re.search(r"http://localhost(/reset/\S+)", body).group(1)


def test_a_forgotten_password_is_replaced_through_a_mailed_link(mail_app, inbox):
    messages = inbox[0].messages
    phone, auth = _client_of(mail_app)
    auth.register()
    laptop, laptop_auth = _client_of(mail_app)
    laptop_auth.login()
    visitor = mail_app.test_client()
    known = visitor.post(
        "/forgot", data={"email": "PAT@example.com", "csrf_token": csrf_token(visitor, "/forgot")}
    )
    unknown = visitor.post(
        "/forgot",
        data={"email": "nobody@example.com", "csrf_token": csrf_token(visitor, "/forgot")},
    )
    assert (known.status_code, known.headers["Location"]) == (
        unknown.status_code,
        unknown.headers["Location"],
    )
    assert messages[-1][0] == ["nobody@example.com"]
    assert "no account uses it" in messages[-1][1]
    link = _reset_link([message for message in messages if message[0] == ["pat@example.com"]])
    page = visitor.get(link)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    weak = visitor.post(
        link, data={"new_password": "qwertyuiop", "csrf_token": csrf_token(visitor, link)}
    )
    assert "common password" in weak.get_data(as_text=True)
    data = {"new_password": "a brand new passphrase", "csrf_token": csrf_token(visitor, link)}
    assert visitor.post(link, data=data).status_code == 303
    # Every sign-in ended; the new password works; the link works only once.
    assert phone.get("/account").status_code == 302
    assert laptop.get("/account").status_code == 302
    assert auth.login(password="a brand new passphrase").status_code == 303
    assert visitor.get(link).status_code == 400


def test_a_reset_link_expires_after_thirty_minutes(mail_app, inbox, monkeypatch):
    _, auth = _client_of(mail_app)
    auth.register()
    visitor = mail_app.test_client()
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() - 31 * 60)
    visitor.post(
        "/forgot", data={"email": "pat@example.com", "csrf_token": csrf_token(visitor, "/forgot")}
    )
    monkeypatch.setattr(time, "time", real_time)
    link = _reset_link(inbox[0].messages)
    assert visitor.get(link).status_code == 400


# 8. JSON of any depth is a 400, never a 500.
@pytest.mark.parametrize("depth", [10, 450, 999, 1500, 100_000])
@pytest.mark.parametrize("path", ["/api/checkins", "/api/sessions", "/api/shares/redeem"])
def test_deeply_nested_json_is_refused(sqlite_app, path, depth, caplog):
    client, auth = _client_of(sqlite_app)
    auth.register(role="clinician" if path.endswith("redeem") else "patient")
    nested = "[" * depth + "]" * depth
    for body in (nested, '{"notes": ' + nested + "}", '{"code": ' + nested + "}"):
        response = client.post(
            path,
            data=body,
            content_type="application/json",
            headers={"X-CSRFToken": csrf_token(client, "/")},
        )
        assert response.status_code == 400, body[:40]
    assert "Traceback" not in caplog.text


# 9. Pages are private; pages with a person's own records are never stored.
def test_pages_are_private_and_own_routines_never_stored(sqlite_app):
    client, auth = _client_of(sqlite_app)
    assert client.get("/").headers["Cache-Control"] == "private, no-cache"
    auth.register()
    for path in ("/", "/routines", "/login"):
        assert client.get(path).headers["Cache-Control"] in ("private, no-cache", "no-store")
    assert client.get("/").headers["Cache-Control"] == "private, no-cache"
    assert (
        client.get("/").headers["CrampCare-Account"]
        == client.get("/account").headers["CrampCare-Account"]
    )
    data = {"title": "My evening stretch", "csrf_token": csrf_token(client, "/routines/new")}
    data.update(summary="", difficulty="gentle", area="lower")
    edit = client.post("/routines/new", data=data).headers["Location"]
    slug = edit.split("/")[-2]
    for path in ("/routines", f"/routines/{slug}", f"/routines/{slug}/play", edit):
        assert client.get(path).headers["Cache-Control"] == "no-store", path


# 10. Share-code redeem is limited per address too, across accounts.
def test_redeem_is_limited_per_address_across_accounts(sqlite_app):
    answers = []
    for number in range(3):
        client, auth = _client_of(sqlite_app)
        auth.register(email=f"doc{number}@example.com", role="clinician")
        for _ in range(10):
            response = client.post(
                "/api/shares/redeem",
                json={"code": "AAAAAAAA"},
                headers={"X-CSRFToken": csrf_token(client, "/")},
            )
            answers.append(response.status_code)
    assert answers[:20] == [400] * 20
    assert set(answers[20:]) == {429}


# 12. A clinician keeps no check-ins or sessions.
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/checkins"),
        ("post", "/api/checkins"),
        ("get", "/api/sessions"),
        ("post", "/api/sessions"),
    ],
)
def test_clinicians_cannot_write_or_read_their_own_log(sqlite_app, method, path):
    client, auth = _client_of(sqlite_app)
    auth.register(email="doc@example.com", role="clinician")
    headers = {"X-CSRFToken": csrf_token(client, "/")}
    response = getattr(client, method)(path, json={} if method == "post" else None, headers=headers)
    assert response.status_code == 403
    assert client.get("/checkins/new").status_code == 403


# 13. What a deleted account leaves behind.
def test_failed_logins_for_unknown_emails_keep_a_keyed_hash_that_expires(sqlite_app):
    client, auth = _client_of(sqlite_app)
    auth.login(email="gone@example.com", password="wrong password here")
    with sqlite_app.app_context():
        old = db.session.scalar(select(AuditEvent))
        old_detail = old.detail
        assert "gone" not in old_detail and len(old_detail) > 20
        old.at = utcnow() - timedelta(days=31)
        db.session.commit()
    auth.login(email="other@example.com", password="wrong password here")
    with sqlite_app.app_context():
        rows = db.session.scalars(select(AuditEvent)).all()
    assert len(rows) == 1
    assert rows[0].detail != old_detail


def test_ids_and_outbox_tags_are_never_reused_after_deletion(sqlite_app):
    client, auth = _client_of(sqlite_app)
    auth.register(email="one@example.com")
    auth.register(email="two@example.com")
    with sqlite_app.app_context():
        last = db.session.scalar(select(User).where(User.email == "two@example.com"))
        last_id = last.id
        db.session.delete(last)
        db.session.commit()
        assert db.session.execute(text("PRAGMA secure_delete")).scalar() == 1
    auth.register(email="three@example.com")
    with sqlite_app.app_context():
        third = db.session.scalar(select(User).where(User.email == "three@example.com"))
        assert third.id > last_id
        assert len(third.account_secret) == 32
    with sqlite_app.test_request_context():
        first = db.session.scalar(select(User).where(User.email == "one@example.com"))
        first.current_login = None
        secret, first.account_secret = first.account_secret, "x" * 32
        changed = account_tag(first) if first.is_authenticated else None
        assert changed is not None
        first.account_secret = secret
        assert account_tag(first) != changed


@pytest.mark.postgres
def test_migration_0005_keeps_every_row_and_stops_id_reuse(database_url, tmp_path):
    from flask_migrate import upgrade

    from crampcare import create_app

    url, cleanup = fresh_database(database_url, tmp_path)
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": url})
    try:
        with app.app_context():
            upgrade(revision="a5dfe9be559a")
            now = "2026-01-01 00:00:00"
            owner = "(SELECT id FROM users)"
            for statement in (
                "INSERT INTO users (email, password_hash, role, timezone, units, takes_diuretics,"
                " conditions, created_at) VALUES ('a@example.com', 'h', 'patient', 'UTC', 'ml',"
                f" false, '[]', '{now}')",
                "INSERT INTO login_sessions (user_id, token_hash, device, created_at, last_seen_at)"
                f" VALUES ({owner}, 't', 'd', '{now}', '{now}')",
                "INSERT INTO sessions (user_id, client_id, routine_slug, started_at, ended_at,"
                f" steps_completed, steps_total, created_at) VALUES ({owner}, 'c', 'r', '{now}',"
                f" '{now}', 1, 1, '{now}')",
            ):
                db.session.execute(text(statement))
            db.session.commit()
            first_id = db.session.execute(text("SELECT id FROM users")).scalar()
            db.session.commit()  # the migration's own connection must not wait on this one
            upgrade()
            # On SQLite the tables were copied with foreign keys off: nothing cascaded away.
            assert db.session.execute(text("SELECT count(*) FROM login_sessions")).scalar() == 1
            assert db.session.execute(text("SELECT count(*) FROM sessions")).scalar() == 1
            secret = db.session.execute(text("SELECT account_secret FROM users")).scalar()
            assert len(secret) == 32
            if db.engine.dialect.name == "sqlite":
                _assert_every_id_table_autoincrements()
            db.session.execute(text("DELETE FROM users"))
            db.session.execute(
                text(
                    "INSERT INTO users (email, password_hash, role, timezone, units,"
                    " takes_diuretics, conditions, created_at, account_secret) VALUES"
                    f" ('b@example.com', 'h', 'patient', 'UTC', 'ml', false, '[]', '{now}', 's')"
                )
            )
            # Without AUTOINCREMENT, SQLite would hand the deleted id out again.
            assert db.session.execute(text("SELECT id FROM users")).scalar() == first_id + 1
            if db.engine.dialect.name == "sqlite":
                assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
            db.session.rollback()
            db.session.remove()
            db.engine.dispose()
    finally:
        cleanup()


def _assert_every_id_table_autoincrements() -> None:
    """Every table keyed by one `id` says AUTOINCREMENT; a composite key cannot."""
    # The session's own connection: a second one would queue behind its write lock.
    inspector = inspect(db.session.connection())
    tables = db.session.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'table'"))
    checked = 0
    for name, sql in tables:
        if inspector.get_pk_constraint(name)["constrained_columns"] == ["id"]:
            assert "AUTOINCREMENT" in sql, name
            checked += 1
    assert checked >= 7


def test_a_clinician_naming_a_check_in_finds_nothing(sqlite_app):
    client, auth = _client_of(sqlite_app)
    auth.register(email="doc@example.com", role="clinician")
    headers = {"X-CSRFToken": csrf_token(client, "/")}
    assert client.patch("/api/checkins/1", json={}, headers=headers).status_code == 404
    assert client.get("/checkins").status_code == 403
    assert client.get("/cramps/new").status_code == 403
