"""The installable app: manifest, icons, the service worker's version and precache list."""

import json
import re
import struct
from urllib.parse import urlsplit

import pytest
from flask import Blueprint

from crampcare import PROJECT_ROOT
from crampcare.pwa.service_worker import content_version, page_urls
from crampcare.seed import seed_routines

from .conftest import make_app

ICONS = PROJECT_ROOT / "static" / "icons"


def png_size(path) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk."""
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path.name} is not a PNG"
    return struct.unpack(">II", header[16:24])


def sw_setting(source: str, name: str):
    """Read one of the settings the server writes on the first line of sw.js."""
    match = re.search(r"^self\.WORKER_SETTINGS = (.+);$", source, re.MULTILINE)
    assert match, "no WORKER_SETTINGS in sw.js"
    settings = json.loads(match.group(1))
    assert name in settings, f"no {name} in sw.js settings"
    return settings[name]


def test_manifest_describes_an_installable_app(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response.mimetype == "application/manifest+json"
    manifest = response.get_json(force=True)
    assert manifest["name"] == "CrampCare" and manifest["short_name"]
    assert manifest["description"] and manifest["id"]
    assert manifest["start_url"] == "/?source=pwa"
    assert manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    css = (PROJECT_ROOT / "static" / "css" / "app.css").read_text()
    assert f"--brand: {manifest['theme_color']};" in css
    assert f"--bg: {manifest['background_color']};" in css
    sizes = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    shortcuts = {shortcut["name"]: shortcut for shortcut in manifest["shortcuts"]}
    assert shortcuts["Start a routine"]["url"] == "/routines"
    assert shortcuts["Log a cramp"]["url"] == "/cramps/new"
    assert all(shortcut["icons"] for shortcut in shortcuts.values())


def test_manifest_icons_exist_at_their_stated_sizes(client):
    manifest = client.get("/manifest.webmanifest").get_json(force=True)
    icons = manifest["icons"] + [i for s in manifest["shortcuts"] for i in s["icons"]]
    for icon in icons:
        with client.get(icon["src"]) as response:
            assert response.status_code == 200
        width, height = png_size(ICONS / urlsplit(icon["src"]).path.rsplit("/", 1)[1])
        assert f"{width}x{height}" == icon["sizes"]
    assert png_size(ICONS / "apple-touch-icon.png") == (180, 180)


def test_pages_link_the_manifest_icon_and_theme(client):
    page = client.get("/").get_data(as_text=True)
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    assert re.search(
        r'rel="apple-touch-icon" href="/static/icons/apple-touch-icon.png\?v=[0-9a-f]{12}"', page
    )
    assert '<meta name="theme-color" content="#0f766e"' in page
    assert 'data-sw-url="/sw.js"' in page


def test_service_worker_is_served_for_the_whole_origin(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "application/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.headers["Service-Worker-Allowed"] == "/"
    assert (
        "connect-src 'self' https://cdn.jsdelivr.net" in response.headers["Content-Security-Policy"]
    )


def test_the_worker_carries_the_outbox_and_imports_nothing(client):
    """An imported script is fetched again by each update check, a static file from the
    network on a repeat visit: the outbox is part of the worker's own file instead."""
    source = client.get("/sw.js").get_data(as_text=True)
    assert source.index("self.WORKER_SETTINGS = ") == 0
    assert source.index("self.CrampOutbox = {") < source.index("CrampCare service worker.")
    assert "importScripts" not in source


def test_precache_lists_the_shell_and_every_static_file(client):
    source = client.get("/sw.js").get_data(as_text=True)
    static = [urlsplit(url).path for url in sw_setting(source, "staticFiles")]
    for url in (
        "/static/css/app.css",
        "/static/js/app.js",
        "/static/js/pwa.js",
        "/static/js/outbox.js",
        "/static/vendor/htmx-2.0.11.min.js",
        "/static/icons/icon-192.png",
        "/static/icons/icon-maskable-512.png",
    ):
        assert url in static
    assert sw_setting(source, "pages")[:2] == ["/", "/offline"]
    assert sw_setting(source, "htmxCdnUrl") == client.application.config["HTMX_CDN_URL"]
    assert "/dashboard" in sw_setting(source, "neverCache")


def test_version_follows_the_content_of_the_static_files(tmp_path):
    (tmp_path / "css").mkdir()
    stylesheet = tmp_path / "css" / "app.css"
    stylesheet.write_text("body { color: black; }")
    first = content_version(tmp_path)
    assert content_version(tmp_path) == first
    stylesheet.write_text("body { color: navy; }")
    assert content_version(tmp_path) != first
    (tmp_path / ".DS_Store").write_text("ignored")
    assert content_version(tmp_path) == content_version(tmp_path)


def test_version_is_computed_at_start_and_salted_by_config(tmp_path):
    plain = make_app(f"sqlite:///{tmp_path / 'a.sqlite'}").test_client().get("/sw.js")
    salted = make_app(f"sqlite:///{tmp_path / 'b.sqlite'}", PWA_VERSION_SALT="next")
    again = salted.test_client().get("/sw.js")
    plain_version = sw_setting(plain.get_data(as_text=True), "version")
    salted_version = sw_setting(again.get_data(as_text=True), "version")
    assert re.fullmatch(r"[0-9a-f]{16}", plain_version)
    assert plain_version != salted_version
    assert salted.extensions["pwa_build"].version == salted_version


def routine_pages_blueprint():
    """Stand-ins for the routine and check-in pages, to see the precache list adapt."""
    bp = Blueprint("pages_for_test", __name__)
    for rule in ("/routines", "/routines/<slug>", "/routines/<slug>/play", "/cramps/new"):
        bp.add_url_rule(rule, rule, lambda **_: "page")
    return bp


def test_precache_adds_the_routine_pages_once_their_routes_exist(app):
    with app.app_context():
        seed_routines()
        without = page_urls(app)
    if not app.url_map.bind("x").test("/routines", "GET"):
        assert "/routines" not in without
    app.register_blueprint(routine_pages_blueprint())
    with app.app_context():
        pages = page_urls(app)
        from sqlalchemy import select

        from crampcare.extensions import db
        from crampcare.models import Routine

        slugs = db.session.scalars(select(Routine.slug)).all()
    assert len(slugs) >= 8
    for slug in slugs:
        assert f"/routines/{slug}" in pages
        assert f"/routines/{slug}/play" in pages
    assert "/routines" in pages and "/cramps/new" in pages


@pytest.mark.parametrize(
    "path",
    [
        "/dashboard",
        "/checkins",
        "/checkins/12",
        "/export/me.csv",
        "/clinician/patients",
        "/api/checkins",
        "/api/csrf-token",
        "/account",
        "/sharing",
    ],
)
def test_health_data_areas_are_sent_with_no_store(client, auth, path):
    auth.register()
    response = client.get(path)
    assert response.headers.get("Cache-Control") == "no-store"


@pytest.mark.parametrize("path", ["/", "/offline", "/login", "/manifest.webmanifest"])
def test_pages_without_health_data_may_be_cached(client, path):
    assert "no-store" not in (client.get(path).headers.get("Cache-Control") or "")


def test_checkin_form_path_is_not_marked_no_store(app):
    from crampcare.headers import is_health_data_path

    assert not is_health_data_path("/checkins/new")
    assert is_health_data_path("/checkins")
    assert is_health_data_path("/checkins/7/edit")
    assert not is_health_data_path("/checkinsandmore")


def test_csrf_token_endpoint_gives_a_token_that_the_api_accepts(app, client, auth):
    app.add_url_rule("/api-test/echo", "echo", lambda: ("", 204), methods=["POST"])
    auth.register()
    response = client.get("/api/csrf-token")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    token = response.get_json()["csrf_token"]
    assert token
    assert client.post("/api-test/echo", json={}).status_code == 400
    assert client.post("/api-test/echo", json={}, headers={"X-CSRFToken": token}).status_code == 204


def test_a_checkin_form_for_one_session_is_never_stored(app, client, auth):
    from .records import add_session

    auth.register()
    assert "no-store" not in client.get("/checkins/new").headers.get("Cache-Control", "")
    session_id = add_session(app, "pat@example.com")
    response = client.get(f"/checkins/new?session={session_id}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


def test_a_kept_copy_leaves_the_session_cookie_and_its_message_alone(app, client, auth):
    from crampcare.kept_copies import KEEP_HEADER

    cookie = app.config["SESSION_COOKIE_NAME"]
    auth.register()
    auth.logout()  # the session now holds "You are signed out." for the next page
    # A copy the worker asks for now, answered only after the next sign-in.
    late = app.test_client()
    late.set_cookie(cookie, client.get_cookie(cookie).value)
    auth.login()

    kept = late.get("/routines", headers={KEEP_HEADER: "1"})
    assert kept.status_code == 200
    # Its cookie would replace the new sign-in's in the browser, and sign the person out.
    assert "Set-Cookie" not in kept.headers
    assert b"You are signed out" not in kept.data
    # The message still waits for the person's next page, which takes it, cookie and all.
    visit = late.get("/routines")
    assert b"You are signed out" in visit.data
    assert cookie in visit.headers["Set-Cookie"]


def test_the_worker_names_its_copies_with_the_servers_header(client):
    from crampcare.kept_copies import KEEP_HEADER

    source = client.get("/sw.js").get_data(as_text=True)
    assert sw_setting(source, "keepHeader") == KEEP_HEADER
