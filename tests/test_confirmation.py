"""Email confirmation before the first sign-in (ASVS 5.0 6.3.8: registration must not say
which emails have accounts, so it signs nobody in and always answers "check your email")."""

import re
import threading
import time

import pytest
from sqlalchemy import func, select

from crampcare.extensions import db, mail
from crampcare.models import AuditEvent, LoginSession, User
from crampcare.passwords import EXTENSION, verify_password

from .conftest import CSRF_META, PASSWORD, Auth, confirmation_link, csrf_token, make_app

OTHER_PASSWORD = "another fine passphrase"
CHECK_EMAIL = "Check your email: we sent a link to finish setting up your account."
CONFIRM_FIRST = (
    "Confirm your email address first: we have sent you a new link to finish setting up "
    "your account."
)
CONFIRMED = "Welcome to CrampCare. Your email address is confirmed and you are signed in."
RESET_LINK = re.compile(r"https?://[^/\s]+(/reset/\S+)")


@pytest.fixture
def mail_app(tmp_path):
    """An app on its own SQLite file; its mail is recorded by the tests."""
    return make_app(f"sqlite:///{tmp_path / 'confirm.sqlite'}")


def _auth(app) -> Auth:
    return Auth(app.test_client())


def _user(app, email="pat@example.com") -> User:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        db.session.expunge_all()
        return user


def _password_is(app, password: str, email="pat@example.com") -> bool:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        return verify_password(user.password_hash, password)


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _signed_in(client) -> bool:
    return client.get("/account").status_code == 200


def _masked(response) -> bytes:
    """A page's bytes with its own CSRF token blanked: the one part that is new each time."""
    body = response.get_data(as_text=True)
    token = CSRF_META.search(body).group(1)
    return body.replace(token, "CSRF").encode()


def _flashes(client):
    with client.session_transaction() as session:
        return session.get("_flashes")


class HashCounter:
    """Counts the argon2 hashes the app makes."""

    def __init__(self, app, monkeypatch):
        self.count = 0
        hasher = app.extensions[EXTENSION].hasher
        counter = self

        class Counting:
            def hash(self, *args, **kwargs):
                counter.count += 1
                return hasher.hash(*args, **kwargs)

            def __getattr__(self, name):
                return getattr(hasher, name)

        monkeypatch.setattr(app.extensions[EXTENSION], "hasher", Counting())

    def during(self, action):
        """How many hashes the action made."""
        before = self.count
        action()
        return self.count - before


def test_new_taken_and_unconfirmed_emails_get_the_same_answer(mail_app, monkeypatch):
    _auth(mail_app).register(email="taken@example.com")  # confirmed through its link
    _auth(mail_app).register(email="waiting@example.com", confirm=False)
    hashes = HashCounter(mail_app, monkeypatch)
    answers = []
    for email in ("new@example.com", "taken@example.com", "waiting@example.com"):
        auth = _auth(mail_app)
        with mail.record_messages() as outbox:
            made = hashes.during(
                lambda auth=auth, email=email: answers.append(
                    (auth, auth.register(email=email, password=OTHER_PASSWORD, confirm=False))
                )
            )
        assert made == 1, email  # the same work: one argon2 hash each
        assert [message.recipients for message in outbox] == [[email]]
        assert len(outbox[0].body) > 100
    (first_auth, first), *others = answers
    page = first_auth.client.get(first.headers["Location"])
    assert first.status_code == 303
    assert first.headers["Location"] == "/register/check-email"
    assert page.status_code == 200
    assert CHECK_EMAIL in page.get_data(as_text=True)
    for auth, answer in others:
        assert (answer.status_code, answer.headers["Location"], answer.get_data()) == (
            first.status_code,
            first.headers["Location"],
            first.get_data(),
        )
        again = auth.client.get(answer.headers["Location"])
        assert again.status_code == page.status_code
        assert again.headers["Cache-Control"] == page.headers["Cache-Control"]
        assert _masked(again) == _masked(page)
        assert not _signed_in(auth.client)
    # One account per email, whichever way it went.
    with mail_app.app_context():
        emails = db.session.scalars(select(User.email).order_by(User.email)).all()
    assert emails == ["new@example.com", "taken@example.com", "waiting@example.com"]
    assert _password_is(mail_app, PASSWORD, "taken@example.com")  # its owner's, untouched
    assert _count(mail_app, LoginSession) == 1  # the confirmed account's own sign-in


def test_registering_signs_nobody_in(mail_app):
    auth = _auth(mail_app)
    response = auth.register(confirm=False)
    assert response.status_code == 303
    assert _flashes(auth.client) == [("info", CHECK_EMAIL)]
    assert not _signed_in(auth.client)
    assert _count(mail_app, LoginSession) == 0
    assert _user(mail_app).email_confirmed_at is None
    assert _password_is(mail_app, PASSWORD)


def test_an_unconfirmed_account_cannot_sign_in_and_is_sent_a_new_link(mail_app):
    confirmed = _auth(mail_app)
    confirmed.register(email="done@example.com")
    confirmed.logout()
    auth = _auth(mail_app)
    auth.register(confirm=False)
    # A wrong password answers as for any account, and mails nothing.
    with mail.record_messages() as outbox:
        wrong = auth.login(password="wrong password here")
        usual = confirmed.login(email="done@example.com", password="wrong password here")
    assert outbox == []
    assert wrong.status_code == usual.status_code == 200
    assert _masked(wrong).replace(b"pat@example.com", b"EMAIL") == _masked(usual).replace(
        b"done@example.com", b"EMAIL"
    )
    # The right one signs nobody in: it says what to do and sends a fresh link.
    with mail.record_messages() as outbox:
        right = auth.login()
    assert right.status_code == 303
    assert right.headers["Location"] == "/register/check-email"
    assert _flashes(auth.client) == [("warning", CONFIRM_FIRST)]
    assert not _signed_in(auth.client)
    assert _count(mail_app, LoginSession) == 0
    new_link = confirmation_link(outbox, "pat@example.com")
    assert new_link is not None
    with mail_app.app_context():
        actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "login_unconfirmed" in actions
    assert auth.confirm(new_link).status_code == 303
    assert _signed_in(auth.client)


def test_opening_the_link_confirms_nothing(mail_app):
    auth = _auth(mail_app)
    auth.register(confirm=False)
    visitor = mail_app.test_client()  # a mail scanner following the link
    for _ in range(3):
        page = visitor.get(auth.link)
        assert page.status_code == 200
        assert page.headers["Cache-Control"] == "no-store"
        text = page.get_data(as_text=True)
        assert "Confirm and sign in" in text and 'method="post"' in text
    assert _user(mail_app).email_confirmed_at is None
    assert _count(mail_app, LoginSession) == 0
    assert not _signed_in(visitor)


def test_pressing_the_button_confirms_and_signs_in(mail_app):
    auth = _auth(mail_app)
    auth.register(confirm=False)
    response = auth.confirm(auth.link)
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    assert _flashes(auth.client) == [("success", CONFIRMED)]
    assert _signed_in(auth.client)
    assert _user(mail_app).email_confirmed_at is not None
    with mail_app.app_context():
        actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "email_confirmed" in actions
    # Signed out, the password now signs in.
    auth.logout()
    assert auth.login().status_code == 303
    assert _signed_in(auth.client)


def test_the_button_needs_its_csrf_token(mail_app):
    auth = _auth(mail_app)
    auth.register(confirm=False)
    auth.client.get(auth.link)
    response = auth.client.post(auth.link, data={})
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
    assert _user(mail_app).email_confirmed_at is None
    assert not _signed_in(auth.client)


def test_a_link_works_once(mail_app):
    auth = _auth(mail_app)
    auth.register(confirm=False)
    link = auth.link
    assert auth.confirm(link).status_code == 303
    auth.logout()
    again = auth.client.post(link, data={"csrf_token": csrf_token(auth.client)})
    assert again.status_code == 400
    assert "This link does not work" in again.get_data(as_text=True)
    assert not _signed_in(auth.client)
    page = auth.client.get(link)
    assert page.status_code == 400
    assert 'href="/login"' in page.get_data(as_text=True)


@pytest.mark.parametrize(("hours_ago", "works"), [(23.9, True), (24.1, False)])
def test_a_link_expires_after_a_day(mail_app, monkeypatch, hours_ago, works):
    auth = _auth(mail_app)
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() - hours_ago * 3600)
    auth.register(confirm=False)
    monkeypatch.setattr(time, "time", real_time)
    page = auth.client.get(auth.link)
    if works:
        assert page.status_code == 200
        assert auth.confirm(auth.link).status_code == 303
        assert _signed_in(auth.client)
    else:
        assert page.status_code == 400
        assert "expired" in page.get_data(as_text=True)
        token = CSRF_META.search(page.get_data(as_text=True)).group(1)
        assert auth.client.post(auth.link, data={"csrf_token": token}).status_code == 400
        assert _user(mail_app).email_confirmed_at is None


def test_registering_an_unconfirmed_email_again_replaces_it(mail_app):
    early = _auth(mail_app)  # someone who typed another person's address first
    early.register(password=OTHER_PASSWORD, role="clinician", tz="Asia/Tokyo", confirm=False)
    owner = _auth(mail_app)
    owner.register(role="patient", tz="Europe/Berlin", confirm=False)
    assert owner.link != early.link
    assert _count(mail_app, User) == 1
    user = _user(mail_app)
    assert (user.role, user.timezone) == ("patient", "Europe/Berlin")
    assert _password_is(mail_app, PASSWORD) and not _password_is(mail_app, OTHER_PASSWORD)
    # The first link is dead; the first password opens nothing.
    assert early.client.get(early.link).status_code == 400
    assert early.login(password=OTHER_PASSWORD).status_code == 200
    assert owner.confirm(owner.link).status_code == 303
    assert _signed_in(owner.client) and not _signed_in(early.client)


def test_a_password_reset_link_confirms_the_email(mail_app):
    auth = _auth(mail_app)
    auth.register(confirm=False)
    visitor = mail_app.test_client()
    with mail.record_messages() as outbox:
        data = {"email": "pat@example.com", "csrf_token": csrf_token(visitor, "/forgot")}
        assert visitor.post("/forgot", data=data).status_code == 303
    reset = RESET_LINK.search(outbox[-1].body).group(1)
    # A reset link is not a confirmation link, nor the other way round.
    assert visitor.get(reset.replace("/reset/", "/confirm/")).status_code == 400
    assert visitor.get(auth.link.replace("/confirm/", "/reset/")).status_code == 400
    data = {"new_password": OTHER_PASSWORD, "csrf_token": csrf_token(visitor, reset)}
    assert visitor.post(reset, data=data).status_code == 303
    assert _user(mail_app).email_confirmed_at is not None
    assert auth.client.get(auth.link).status_code == 400  # the password it was for is gone
    assert auth.login(password=OTHER_PASSWORD).headers["Location"] == "/"
    assert _signed_in(auth.client)


def test_new_links_are_limited_per_email_across_addresses(tmp_path):
    app = make_app(
        f"sqlite:///{tmp_path / 'limits.sqlite'}",
        ACCOUNT_MAIL_LIMIT="3 per hour",
        TRUSTED_PROXIES=1,
    )
    answers = []
    with mail.record_messages() as outbox:
        for number in range(4):
            auth = _auth(app)
            auth.client.environ_base["HTTP_X_FORWARDED_FOR"] = f"203.0.113.{number}"
            answers.append(auth.register(confirm=False).status_code)
        # The password's owner asking for a link again is counted against the same email.
        answers.append(auth.login().status_code)
    assert answers == [303, 303, 303, 429, 429]
    assert len(outbox) == 3
    # Another email is not held back by that one.
    assert _auth(app).register(email="other@example.com").status_code == 303


def test_new_links_by_sign_in_are_limited_per_address(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'limits.sqlite'}", ACCOUNT_MAIL_LIMIT="3 per hour")
    emails = [f"p{number}@example.com" for number in range(4)]
    for email in emails:
        _auth(app).register(email=email, confirm=False)
    auth = _auth(app)
    with mail.record_messages() as outbox:
        answers = [auth.login(email=email).status_code for email in emails]
    assert answers == [303, 303, 303, 429]
    assert len(outbox) == 3


def test_accounts_made_by_the_demo_command_are_confirmed(app, runner):
    result = runner.invoke(args=["demo", "--days", "3"])
    assert result.exit_code == 0, result.output
    email, password = re.search(r"Demo patient: (\S+) / (\S+)", result.output).groups()
    with app.app_context():
        assert None not in db.session.scalars(select(User.email_confirmed_at)).all()
    auth = Auth(app.test_client())
    assert auth.login(email=email, password=password).headers["Location"] == "/"
    assert _signed_in(auth.client)


@pytest.mark.postgres
def test_of_concurrent_presses_of_one_link_one_signs_in(database_url):
    app = make_app(database_url)
    auth = _auth(app)
    auth.register(confirm=False)
    presses = []
    for _ in range(6):
        client = app.test_client()
        presses.append((client, csrf_token(client, auth.link)))
    start = threading.Barrier(len(presses))
    answers = []

    def press(client, token):
        start.wait()
        answers.append(client.post(auth.link, data={"csrf_token": token}).status_code)

    threads = [threading.Thread(target=press, args=pressed) for pressed in presses]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [303] + [400] * 5
    assert _count(app, LoginSession) == 1
