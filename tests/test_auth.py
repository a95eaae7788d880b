"""Accounts: register, sign in and out, revocable sign-ins, the profile."""

import re

import pytest
from argon2 import extract_parameters
from argon2.profiles import RFC_9106_LOW_MEMORY
from sqlalchemy import func, select

from crampcare.extensions import db
from crampcare.local_time import timezone_names
from crampcare.models import AuditEvent, LoginSession, User
from crampcare.passwords import verify_password

from .conftest import PASSWORD, Auth, csrf_token, make_app


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_register_creates_patient_who_signs_in_through_the_mailed_link(client, auth, app):
    response = auth.register(email="Pat@Example.com", tz="Europe/Berlin", confirm=False)
    assert response.status_code == 303
    with app.app_context():
        user = db.session.scalar(select(User))
        assert user.email == "pat@example.com"
        assert user.timezone == "Europe/Berlin"
        assert user.role == "patient"
        assert user.password_hash.startswith("$argon2id$")
        assert verify_password(user.password_hash, PASSWORD)
    # Registering alone signs nobody in; the link mailed to the address does.
    assert client.get("/account").status_code == 302
    assert auth.confirm(auth.link).status_code == 303
    assert client.get("/account").status_code == 200


def test_register_clinician(auth, app):
    auth.register(email="doc@example.com", role="clinician")
    with app.app_context():
        assert db.session.scalar(select(User.role)) == "clinician"


def test_duplicate_email_in_another_case_makes_no_second_account(client, auth, app):
    auth.register(email="pat@example.com")
    auth.logout()
    response = auth.register(email="PAT@example.COM")
    # The same answer as a new account: registration never says which emails exist.
    assert response.status_code == 303
    assert client.get("/account").status_code == 302
    assert count(app, User) == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("password", "short", "Use 10 to 128 characters."),
        ("password", "x" * 129, "Use 10 to 128 characters."),
        ("email", "not-an-email", "Enter a valid email address."),
        ("role", "admin", "Not a valid choice"),
        ("timezone", "Mars/Olympus", "Choose a timezone from the list."),
    ],
)
def test_register_rejects_bad_fields_and_saves_nothing(client, app, field, value, message):
    data = {
        "email": "pat@example.com",
        "password": PASSWORD,
        "role": "patient",
        "timezone": "UTC",
        "csrf_token": csrf_token(client, "/register"),
    }
    data[field] = value
    response = client.post("/register", data=data)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert count(app, User) == 0


def test_password_has_no_composition_rules(auth, app):
    # Only words, all lower case, no digits: long and uncommon is what counts.
    assert auth.register(password="lantern orchard gravel").status_code == 303


def test_login_wrong_password(client, auth, app):
    auth.register()
    auth.logout()
    response = auth.login(password="wrong password here")
    assert response.status_code == 200
    assert "do not match" in response.get_data(as_text=True)
    assert client.get("/account").status_code == 302
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "login_failed" in actions


def test_login_unknown_email_is_audited_without_subject(client, auth, app):
    auth.login(email="nobody@example.com")
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "login_failed"))
        assert event.subject_id is None
        assert "nobody" not in event.detail
        assert event.detail.startswith("email-hmac:")
        assert event.at.tzinfo is not None


def test_login_follows_only_local_next(client, auth):
    auth.register()
    auth.logout()
    token = csrf_token(client)
    data = {"email": "pat@example.com", "password": PASSWORD, "csrf_token": token}
    response = client.post("/login?next=https://evil.example/", data=data)
    assert response.headers["Location"] == "/"
    auth.logout()
    data["csrf_token"] = csrf_token(client)
    response = client.post("/login?next=/account", data=data)
    assert response.headers["Location"] == "/account"


def test_each_login_is_a_row_with_a_new_session(client, auth, app):
    auth.register()
    first = client.get_cookie("session").value
    auth.logout()
    auth.login()
    second = client.get_cookie("session").value
    assert first != second
    with app.app_context():
        logins = db.session.scalars(select(LoginSession)).all()
    assert len(logins) == 1  # the first was deleted at logout


def test_logout_revokes_the_old_cookie(client, auth, app):
    auth.register()
    stolen = client.get_cookie("session").value
    assert auth.logout().status_code == 303
    assert client.get("/account").status_code == 302
    # Replaying the cookie from before logout no longer signs anyone in.
    client.set_cookie("session", stolen)
    assert client.get("/account").status_code == 302
    assert count(app, LoginSession) == 0


def test_sign_out_everywhere_ends_every_device(app, auth, client):
    auth.register()
    phone = app.test_client()
    Auth(phone).login()
    assert phone.get("/account").status_code == 200
    assert count(app, LoginSession) == 2
    response = client.post(
        "/account/sign-out-everywhere", data={"csrf_token": csrf_token(client, "/account")}
    )
    assert response.status_code == 303
    assert phone.get("/account").status_code == 302
    assert client.get("/account").status_code == 302
    assert count(app, LoginSession) == 0


def test_sign_out_one_device(app, auth, client):
    auth.register()
    phone = app.test_client()
    Auth(phone).login()
    with app.app_context():
        phone_login = db.session.scalars(select(LoginSession).order_by(LoginSession.id)).all()[-1]
    response = client.post(
        f"/account/devices/{phone_login.id}/sign-out",
        data={"csrf_token": csrf_token(client, "/account")},
    )
    assert response.status_code == 303
    assert phone.get("/account").status_code == 302
    assert client.get("/account").status_code == 200


def test_cannot_sign_out_another_users_device(app, auth, client):
    auth.register()
    other = app.test_client()
    Auth(other).register(email="other@example.com")
    with app.app_context():
        other_login = db.session.scalar(
            select(LoginSession).join(User).where(User.email == "other@example.com")
        )
    response = client.post(
        f"/account/devices/{other_login.id}/sign-out",
        data={"csrf_token": csrf_token(client, "/account")},
    )
    assert response.status_code == 404
    assert other.get("/account").status_code == 200


def test_password_change_ends_other_devices(app, auth, client):
    auth.register()
    phone = app.test_client()
    Auth(phone).login()
    response = client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "a brand new passphrase",
            "csrf_token": csrf_token(client, "/account"),
        },
    )
    assert response.status_code == 303
    assert client.get("/account").status_code == 200
    assert phone.get("/account").status_code == 302
    auth.logout()
    assert auth.login(password="a brand new passphrase").status_code == 303


def test_password_change_needs_the_current_password(auth, client):
    auth.register()
    response = client.post(
        "/account/password",
        data={
            "current_password": "not my password",
            "new_password": "a brand new passphrase",
            "csrf_token": csrf_token(client, "/account"),
        },
    )
    assert response.status_code == 200
    assert "not your current password" in response.get_data(as_text=True)


def test_remember_me_cookie_is_revocable(app, auth, client):
    auth.register()
    auth.logout()
    auth.login(remember=True)
    remember = client.get_cookie("remember_token")
    assert remember is not None and remember.http_only
    # A new browser with only the remember cookie is signed in…
    other = app.test_client()
    other.set_cookie("remember_token", remember.value)
    assert other.get("/account").status_code == 200
    # …until that sign-in is ended.
    auth.logout()
    fresh = app.test_client()
    fresh.set_cookie("remember_token", remember.value)
    assert fresh.get("/account").status_code == 302


def test_profile_update(auth, client, app):
    auth.register()
    response = client.post(
        "/account",
        data={
            "timezone": "Australia/Sydney",
            "units": "floz",
            "takes_diuretics": "y",
            "conditions": ["kidney", "thyroid"],
            "csrf_token": csrf_token(client, "/account"),
        },
    )
    assert response.status_code == 303
    with app.app_context():
        user = db.session.scalar(select(User))
        assert (user.timezone, user.units, user.takes_diuretics) == (
            "Australia/Sydney",
            "floz",
            True,
        )
        assert user.conditions == ["kidney", "thyroid"]
        assert user.takes_statins is False


def test_profile_asks_about_statins_pregnancy_and_osteoporosis(auth, client, app):
    auth.register()
    page = client.get("/account").get_data(as_text=True)
    assert "I take a statin" in page
    assert 'value="pregnancy"' in page and 'value="osteoporosis"' in page
    assert "Hormonal condition or pregnancy" not in page
    response = client.post(
        "/account",
        data={
            "timezone": "UTC",
            "units": "ml",
            "takes_statins": "y",
            "conditions": ["pregnancy", "osteoporosis"],
            "csrf_token": csrf_token(client, "/account"),
        },
    )
    assert response.status_code == 303
    with app.app_context():
        user = db.session.scalar(select(User))
        assert (user.takes_statins, user.takes_diuretics) == (True, False)
        assert user.conditions == ["pregnancy", "osteoporosis"]


def test_profile_rejects_unknown_values(auth, client, app):
    auth.register()
    response = client.post(
        "/account",
        data={
            "timezone": "Nowhere/Town",
            "units": "gallons",
            "conditions": ["werewolf"],
            "csrf_token": csrf_token(client, "/account"),
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Choose a timezone from the list." in page
    assert "Choose ml or fl oz." in page or "Not a valid choice" in page
    with app.app_context():
        user = db.session.scalar(select(User))
        assert (user.timezone, user.units, user.conditions) == ("UTC", "ml", [])


def test_account_lists_devices(auth, client):
    auth.register()
    client.environ_base["HTTP_USER_AGENT"] = "TestPhone/1.0"
    page = client.get("/account").get_data(as_text=True)
    assert "This device" in page
    assert "Sign out everywhere" in page


def test_pages_need_login(client):
    response = client.get("/account")
    assert response.status_code == 302
    assert "/login?next=/account" in response.headers["Location"]


def test_signing_in_over_a_remembered_sign_in_ends_it(app, auth, client):
    auth.register(email="first@example.com")
    auth.logout()
    auth.login(email="first@example.com", remember=True)
    remembered = client.get_cookie("remember_token").value
    Auth(app.test_client()).register(email="second@example.com")
    # On the same browser, the second person signs in over the first.
    assert auth.login(email="second@example.com").status_code == 303
    assert client.get_cookie("remember_token") is None
    with app.app_context():
        emails = db.session.scalars(
            select(User.email).join(LoginSession).order_by(LoginSession.id)
        ).all()
    assert emails == ["second@example.com", "second@example.com"]
    stale = app.test_client()
    stale.set_cookie("remember_token", remembered)
    assert stale.get("/account").status_code == 302


def test_a_sign_in_unused_for_too_long_ends(app, auth, client):
    from datetime import timedelta

    from crampcare.models import utcnow

    auth.register()
    with app.app_context():
        login = db.session.scalar(select(LoginSession))
        login.last_seen_at = utcnow() - timedelta(days=31)
        db.session.commit()
    assert client.get("/account").status_code == 302
    assert count(app, LoginSession) == 0


def summary_lines(page: str) -> list[tuple[str, str]]:
    """The links of the first error summary on a page: (target id, words)."""
    summary = page.split("data-error-summary>", 1)[1].split("</div>", 1)[0]
    return re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary)


def test_a_failed_register_names_each_field_in_form_order(client, app):
    data = {"email": "", "password": "short", "role": "wizard"}
    data["csrf_token"] = csrf_token(client, "/register")
    page = client.post("/register", data=data).get_data(as_text=True)
    assert 'role="alert" tabindex="-1" data-error-summary' in page
    lines = summary_lines(page)
    assert [target for target, _ in lines] == ["email", "password", "role-0"]
    assert lines[0][1] == "Email: Enter your email address."
    assert lines[1][1].startswith("Password: ")
    assert lines[2][1].startswith("I am a: ") and "Choose patient or clinician." in lines[2][1]
    assert re.search(r'<input aria-invalid="true" id="role-0"', page)
    assert re.search(
        r'<input aria-describedby="email-error" aria-invalid="true"[^>]*id="email"', page
    )
    assert count(app, User) == 0


def test_a_failed_sign_in_and_password_change_open_with_their_summary(client, auth):
    page = client.post("/login", data={"csrf_token": csrf_token(client)}).get_data(as_text=True)
    assert summary_lines(page) == [
        ("email", "Email: Enter your email address."),
        ("password", "Password: Enter your password."),
    ]
    auth.register()
    data = {"csrf_token": csrf_token(client, "/account")}
    page = client.post("/account/password", data=data).get_data(as_text=True)
    assert summary_lines(page) == [
        ("current_password", "Current password: Enter your current password."),
        ("new_password", "New password: Enter a password."),
    ]


def test_keep_me_signed_in_is_left_to_the_installed_app(client):
    page = client.get("/login").get_data(as_text=True)
    box = re.search(r'<input[^>]*name="remember"[^>]*>', page).group(0)
    # Off as the server renders it (a shared computer's browser); static/js/app.js ticks
    # it when the page runs as the installed app.
    assert "checked" not in box and "data-remember-when-installed" in box
    data = {"email": "a@example.com", "password": "wrong", "csrf_token": csrf_token(client)}
    page = client.post("/login", data=data).get_data(as_text=True)
    # A form sent back keeps the person's own choice.
    assert "data-remember-when-installed" not in page


def test_sign_out_everywhere_asks_first(app, auth, client):
    auth.register()
    account = client.get("/account").get_data(as_text=True)
    assert '<a class="button danger" href="/account/sign-out-everywhere">' in account
    page = client.get("/account/sign-out-everywhere").get_data(as_text=True)
    assert "Sign out on every device?" in page
    assert re.search(
        r'<form method="post" action="/account/sign-out-everywhere" data-logout>', page
    )
    assert 'href="/account"' in page
    assert count(app, LoginSession) == 1 and client.get("/account").status_code == 200


def test_the_timezone_picker_offers_canonical_names_by_area(auth, client, app):
    auth.register(tz="Asia/Calcutta")
    with app.app_context():
        assert db.session.scalar(select(User.timezone)) == "Asia/Kolkata"
    page = client.get("/account").get_data(as_text=True)
    select_html = re.search(r'<select[^>]*id="timezone".*?</select>', page, re.S).group(0)
    assert len(re.findall("<option ", select_html)) == len(timezone_names())
    assert '<optgroup label="Europe">' in select_html
    assert '<option selected value="Asia/Kolkata">Kolkata, India</option>' in select_html
    assert "Asia/Calcutta" not in select_html and "US/Eastern" not in select_html
    assert 'id="timezone-search"' in page and "data-timezone-search" in page
    data = {"timezone": "US/Eastern", "units": "ml", "csrf_token": csrf_token(client, "/account")}
    assert client.post("/account", data=data).status_code == 303
    with app.app_context():
        assert db.session.scalar(select(User.timezone)) == "America/New_York"


def test_production_apps_hash_with_the_rfc_9106_low_memory_parameters(tmp_path):
    """Test apps hash cheaply; an app without that setting uses the production parameters."""
    app = make_app(f"sqlite:///{tmp_path / 'production.sqlite'}", PASSWORD_HASH_PARAMETERS=None)
    assert Auth(app.test_client()).register().status_code == 303
    with app.app_context():
        stored = db.session.scalar(select(User.password_hash))
    assert extract_parameters(stored) == RFC_9106_LOW_MEMORY
    assert RFC_9106_LOW_MEMORY.memory_cost == 64 * 1024  # KiB: 64 MiB


def test_cheap_password_hashes_are_refused_outside_tests(tmp_path):
    with pytest.raises(RuntimeError, match="PASSWORD_HASH_PARAMETERS"):
        make_app(
            f"sqlite:///{tmp_path / 'refused.sqlite'}",
            TESTING=False,
            PASSWORD_HASH_PARAMETERS={"time_cost": 1, "memory_cost": 8, "parallelism": 1},
        )
