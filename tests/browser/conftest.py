"""Browser fixtures: the app served on loopback, Chromium driven by Playwright at 390×844."""

import os
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import trustme
from playwright.sync_api import expect, sync_playwright
from werkzeug.serving import make_server

from crampcare import PROJECT_ROOT
from crampcare.config import defaults
from crampcare.extensions import db, mail

from ..conftest import PASSWORD, Auth, confirmation_link, make_app
from .site_pages import sign_in

PHONE = {"width": 390, "height": 844}
SHOTS = os.environ.get("SHOTS_DIR")
CHROMIUM = os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"
# Chromium's headless shell: the same engine without the desktop browser around it, about
# 40% less CPU for the same tests. It has no notifications and no install prompt, so the
# tests of those (marked `full_chromium`) run in the whole Chromium.
CHROMIUM_SHELL = os.environ.get("CHROMIUM_SHELL_PATH") or "/usr/bin/chromium-headless-shell"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# An expectation is of what the page comes to show, never of how fast: on a 2-core machine
# with both cores taken, a save and its swap can take longer than Playwright's default 5 s.
expect.set_options(timeout=15_000)
HTMX_FILE = next((PROJECT_ROOT / "static" / "vendor").glob("htmx-*.min.js"))
HTMX_CDN_URL = urlsplit(defaults(str(PROJECT_ROOT / "instance"))["HTMX_CDN_URL"])


def pytest_collection_modifyitems(items):
    """Every test in this folder is a browser test."""
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


def closing_body(app):
    """The app, its response bodies always closed, also when the browser drops a connection.

    The development server skips close() when a client hangs up mid-response (a service
    worker precaching as its page closes), leaving a static file open until collected.
    """

    def serve(environ, start_response):
        body = app(environ, start_response)
        try:
            yield from body
        finally:
            if hasattr(body, "close"):
                body.close()

    return serve


class LiveServer:
    """The app on a free loopback port, in a thread of this process."""

    def __init__(self, app):
        self.app = app
        self.server = make_server("127.0.0.1", 0, closing_body(app), threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        # shutdown() waits for the serving loop to look up: 50 ms, not the default 500 ms.
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.thread.join()


@pytest.fixture
def live_app(tmp_path):
    """A seeded app on its own SQLite file."""
    return make_app(f"sqlite:///{tmp_path / 'live.sqlite'}", seeded=True, SECURE_COOKIES=False)


@pytest.fixture
def live_server(live_app):
    """The seeded app served on loopback for the browser."""
    with LiveServer(live_app) as server:
        yield server


@pytest.fixture(scope="session")
def playwright():
    """Playwright, started once for the whole run."""
    with sync_playwright() as playwright:
        yield playwright


class PinnedHtmx(BaseHTTPRequestHandler):
    """The CDN's answer for the pinned htmx file (the same bytes as the vendored copy, so
    the page's SRI hash holds), with the CDN's headers; any other path is not there."""

    def do_GET(self):  # noqa: N802 (http.server's name)
        if self.path != HTMX_CDN_URL.path:
            self.send_error(404)
            return
        body = HTMX_FILE.read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "application/javascript; charset=utf-8")
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Cache-Control", "public, max-age=31536000, immutable")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def cdn_address():
    """The test machine has no internet: the CDN's host name leads Chromium to a local
    HTTPS server with the pinned htmx. The network answers, so no request is intercepted,
    and the browser's HTTP cache works as on a phone (intercepting requests turns it off)."""
    certificate = trustme.CA().issue_cert(HTMX_CDN_URL.hostname)
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    certificate.configure_cert(tls)
    server = ThreadingHTTPServer(("127.0.0.1", 0), PinnedHtmx)
    server.socket = tls.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield f"127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    thread.join()
    server.server_close()


def launch(playwright, executable: str, cdn_address: str):
    """A headless Chromium from `executable` (the run fails when it is not there) that
    reaches the local CDN under the CDN's name. Its certificate is made here for the run,
    so certificate errors are let through: the browser only ever talks to this machine."""
    if not Path(executable).exists():
        pytest.fail(f"no Chromium at {executable}: run the tests through `make test`")
    cdn = [
        f"--host-resolver-rules=MAP {HTMX_CDN_URL.hostname} {cdn_address}",
        "--ignore-certificate-errors",
    ]
    return playwright.chromium.launch(
        executable_path=executable, headless=True, args=[*CHROMIUM_ARGS, *cdn]
    )


@pytest.fixture(scope="session")
def shell_browser(playwright, cdn_address):
    """One headless shell for the whole run."""
    browser = launch(playwright, CHROMIUM_SHELL, cdn_address)
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def full_browser(playwright, cdn_address):
    """One whole Chromium for the whole run, started by the first test that needs it."""
    browser = launch(playwright, CHROMIUM, cdn_address)
    yield browser
    browser.close()


@pytest.fixture
def browser(request):
    """The headless shell; the whole Chromium for a test marked `full_chromium`."""
    if request.node.get_closest_marker("full_chromium"):
        return request.getfixturevalue("full_browser")
    return request.getfixturevalue("shell_browser")


@pytest.fixture
def context(browser, live_server):
    """A fresh phone-sized browser profile."""
    context = browser.new_context(viewport=PHONE, base_url=live_server.url, has_touch=True)
    yield context
    context.close()


FAILED_REQUESTS: list[str] = []
# What Chromium logs for each request that fails while offline on purpose (and for the
# answers with an error status that such tests provoke too).
OFFLINE_NOISE = ("Failed to load resource",)
# What it logs for a request that never reached the server: not an answer of any status.
NETWORK_FAILURE = ("Failed to load resource: net::",)


@pytest.fixture
def console_errors():
    """Console errors and CSP violations seen by the page; checked empty after the test."""
    errors: list[str] = []
    yield errors
    assert errors == [], f"console errors: {errors}; failed requests: {FAILED_REQUESTS}"


def recording_page(context, console_errors: list[str], ignored: tuple[str, ...] = ()):
    """A new page whose console errors (but those starting with `ignored`), page errors and
    CSP violations go to console_errors, and whose failed requests to FAILED_REQUESTS."""
    page = context.new_page()

    def on_console(message):
        if message.type == "error" and not message.text.startswith(ignored):
            console_errors.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: console_errors.append(str(error)))
    # A console error about a resource does not name it: keep the URLs for the message.
    FAILED_REQUESTS.clear()
    page.on("requestfailed", lambda request: FAILED_REQUESTS.append(request.url))
    return page


@pytest.fixture
def page(request, context, console_errors):
    """A page that records every console error, page error and CSP violation.

    In a test marked `goes_offline`, a request that never reached the server is not an
    error: going back online, Playwright switches the page before its service worker, so
    the flush that the page's `online` event starts can meet a worker still offline (the
    entry waits, and the test sees it sent once). An answer of any error status still is.
    """
    ignored = NETWORK_FAILURE if request.node.get_closest_marker("goes_offline") else ()
    return recording_page(context, console_errors, ignored=ignored)


def shot(page, name: str) -> None:
    """Keep a full-page screenshot when SHOTS_DIR is set, for a person to look at."""
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


# The offline page the worker keeps is the one drawn for the account this page shows.
OFFLINE_PAGE_KEPT = """async () => {
  const tag = document.querySelector('meta[name="crampcare-account"]')?.content ?? "";
  const kept = await caches.match("/offline");
  return kept !== undefined && kept.headers.get("CrampCare-Account") === tag;
}"""


def ready_offline(page) -> None:
    """Wait until the service worker controls the page and has kept this account's offline
    page: what a person's phone is ready with once a page has settled after a sign-in.

    A page whose load began while the worker was still installing is not always claimed;
    it is reloaded once, as a person's next visit would be controlled.
    """
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    if not page.evaluate("() => navigator.serviceWorker.controller !== null"):
        page.reload()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.wait_for_function(OFFLINE_PAGE_KEPT)


def sign_up(page, email="walker@example.com", role="patient"):
    """Register through the real form in the browser, then open the mailed link and confirm,
    which signs in. The server runs in this process, so its mail is recorded here."""
    with mail.record_messages() as outbox:
        page.goto("/register")
        page.fill("#email", email)
        page.fill("#password", PASSWORD)
        page.check(f"input[name=role][value={role}]")
        page.click("button[type=submit]")
        page.wait_for_url("**/register/check-email")
    link = confirmation_link(outbox, email)
    assert link, f"no confirmation link mailed to {email}"
    page.goto(link)
    page.get_by_role("button", name="Confirm and sign in").click()
    page.wait_for_url("**/")


def sign_in_registered(page, app, email="walker@example.com", role="patient"):
    """Register and confirm through the app's own routes (with this browser's timezone, as
    the form would send it), then sign in through the real form in the browser.

    The browser's sign-up and its mailed link are tested by sign_up's own tests; a test
    that only needs someone signed in skips those four page loads.
    """
    timezone = page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone")
    Auth(app.test_client()).register(email=email, role=role, tz=timezone)
    sign_in(page, email, PASSWORD)


@pytest.fixture
def signed_in(page, live_app):
    """A patient signed in through the browser."""
    sign_in_registered(page, live_app)
    with live_app.app_context():
        db.session.remove()
    return page
