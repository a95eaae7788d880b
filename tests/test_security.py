"""CSRF, rate limits, security headers, cookies, body size, error pages."""

import pytest
from sqlalchemy import func, select

from crampcare.extensions import db
from crampcare.models import User

from .conftest import PASSWORD, Auth, make_app


def test_register_without_csrf_is_refused_and_saves_nothing(client, app):
    response = client.post(
        "/register",
        data={"email": "pat@example.com", "password": PASSWORD, "role": "patient"},
    )
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 0


def test_logout_without_csrf_is_refused(client, auth):
    auth.register()
    assert client.post("/logout").status_code == 400
    assert client.get("/account").status_code == 200


def test_every_page_has_the_csrf_meta(client):
    for path in ("/", "/login", "/register"):
        assert '<meta name="csrf-token" content="' in client.get(path).get_data(as_text=True)


def test_login_rate_limited_per_account(client, auth, app):
    auth.register()
    auth.logout()
    statuses = [auth.login(password="wrong password!").status_code for _ in range(6)]
    assert statuses[:5] == [200] * 5
    assert statuses[5] == 429
    # The limit is on the account, whatever the address…
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "10.9.8.7"
    blocked = Auth(other).login(password=PASSWORD)
    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.get_data(as_text=True)
    assert blocked.headers.get("Retry-After")


def test_successful_logins_do_not_count_against_the_account(auth):
    auth.register()
    for _ in range(7):
        auth.logout()
        assert auth.login().status_code == 303


def test_login_rate_limited_per_address(app):
    app.config["LOGIN_LIMIT_PER_ADDRESS"] = "3 per minute"
    client = app.test_client()
    statuses = [Auth(client).login(email=f"user{i}@example.com").status_code for i in range(4)]
    assert statuses == [200, 200, 200, 429]


EXPECTED_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


@pytest.mark.parametrize("path", ["/", "/login", "/register", "/healthz", "/nowhere"])
def test_security_headers_everywhere(client, path):
    response = client.get(path)
    for name, value in EXPECTED_HEADERS.items():
        assert response.headers[name] == value
    policy = dict(
        part.strip().split(" ", 1)
        for part in response.headers["Content-Security-Policy"].split(";")
    )
    assert policy["default-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["base-uri"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    htmx = "https://cdn.jsdelivr.net/npm/htmx.org@2.0.11/dist/htmx.min.js"
    assert policy["script-src"].startswith(f"'self' {htmx} 'sha256-")  # the import map
    assert "unsafe" not in response.headers["Content-Security-Policy"]
    # No HSTS in tests (plain http); production is checked below.
    assert "Strict-Transport-Security" not in response.headers


def test_htmx_is_configured_without_eval(client):
    page = client.get("/").get_data(as_text=True)
    assert '"allowEval": false' in page
    assert '"allowScriptTags": false' in page
    assert '"includeIndicatorStyles": false' in page
    assert '"historyCacheSize": 0' in page
    assert 'integrity="sha384-' in page
    assert "/static/vendor/htmx-2.0.11.min.js" in page
    assert "<script>" not in page and "style=" not in page


def test_production_cookies_and_hsts(database_url):
    app = make_app(database_url, TESTING=False, SECURE_COOKIES=None)
    assert app.config["SESSION_COOKIE_NAME"] == "__Host-session"
    assert app.config["REMEMBER_COOKIE_NAME"] == "__Host-remember"
    client = app.test_client()
    auth = Auth(client)
    client.application.config["SERVER_NAME"] = None
    # __Host- cookies are Secure, so this client speaks https.
    client.environ_base["wsgi.url_scheme"] = "https"
    response = auth.register()
    assert response.status_code == 303
    cookies = response.headers.getlist("Set-Cookie")
    session_cookie = next(c for c in cookies if c.startswith("__Host-session="))
    for flag in ("Secure", "HttpOnly", "SameSite=Lax", "Path=/"):
        assert flag in session_cookie
    assert "Domain" not in session_cookie
    auth.logout()
    remember = auth.login(remember=True).headers.getlist("Set-Cookie")
    remember_cookie = next(c for c in remember if c.startswith("__Host-remember="))
    for flag in ("Secure", "HttpOnly", "SameSite=Lax", "Path=/"):
        assert flag in remember_cookie
    assert client.get("/").headers["Strict-Transport-Security"].startswith("max-age=")


def test_bodies_over_one_megabyte_are_refused(client):
    response = client.post("/login", data={"email": "x" * (1024 * 1024 + 10)})
    assert response.status_code == 413


def test_not_found_page_and_json(client):
    page = client.get("/no-such-page")
    assert page.status_code == 404
    assert "There is nothing here." in page.get_data(as_text=True)
    api = client.get("/api/no-such-thing")
    assert api.status_code == 404
    assert api.get_json() == {"errors": {"request": "There is nothing here."}}


def test_server_error_page(app):
    @app.get("/explode")
    def explode():
        raise RuntimeError("boom")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = app.test_client().get("/explode")
    assert response.status_code == 500
    assert "Something went wrong" in response.get_data(as_text=True)


def test_secret_key_is_created_private(tmp_path, monkeypatch):
    from crampcare.config import load_or_create_secret_key

    key = load_or_create_secret_key(str(tmp_path))
    path = tmp_path / "secret_key"
    assert len(key) == 64
    assert path.stat().st_mode & 0o777 == 0o600
    assert load_or_create_secret_key(str(tmp_path)) == key
