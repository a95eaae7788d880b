"""The offline app in Chromium: service worker, offline pages, htmx from the cache, the
outbox's delivery rules, installability and the update banner."""

import re
import secrets
from collections import Counter

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import jsonify, make_response, request, request_started, session
from flask_login import login_required
from playwright.sync_api import expect

from crampcare.api.common import errors_response
from crampcare.pwa.service_worker import make_build, page_urls, route_exists

from ..conftest import make_app
from .conftest import CHROMIUM, CHROMIUM_ARGS, OFFLINE_NOISE, PHONE, ready_offline, recording_page

CDN = re.compile(r"https://cdn\.jsdelivr\.net/.*")
# What Chromium logs for a request made while offline: expected here, not a fault.
CACHED_PATHS = """async () => {
  const paths = [];
  for (const name of await caches.keys()) {
    for (const request of await (await caches.open(name)).keys()) {
      paths.push(new URL(request.url).pathname);
    }
  }
  return paths;
}"""
ENQUEUE = """([clientId, extra]) => CrampOutbox.enqueue({
  kind: "checkin", url: "/api/test-echo", formUrl: "/",
  body: {client_id: clientId, water_ml: 500, ...extra},
})"""
OUTBOX_COUNT = """() => new Promise((resolve) => {
  const open = indexedDB.open("crampcare-outbox");
  open.onsuccess = () => {
    const count = open.result.transaction("entries").objectStore("entries").count();
    count.onsuccess = () => resolve(count.result);
  };
})"""
OUTBOX_SIZE = "() => CrampOutbox.list().then((entries) => entries.length)"


def add_test_routes(app):
    """An echo endpoint that counts deliveries per client_id, and helpers around it."""
    deliveries: Counter = Counter()
    seen: list[tuple[str, str]] = []

    def _record():
        seen.append((request.method, request.path))

    # First of all hooks, so requests the CSRF check refuses are seen too.
    app.before_request_funcs.setdefault(None, []).insert(0, _record)

    @login_required
    def echo():
        body = request.get_json()
        if body.get("reject"):
            return errors_response({"water_ml": "Give between 0 and 5000 ml."}, 422)
        deliveries[body["client_id"]] += 1
        return jsonify(body), 201 if deliveries[body["client_id"]] == 1 else 200

    def rotate_csrf():
        # The session's CSRF secret changes: every token already in a page goes stale.
        session["csrf_token"] = secrets.token_hex(20)
        return "", 204

    def private_page():
        response = make_response("<!doctype html><title>Private</title><h1>Private</h1>")
        response.headers["Cache-Control"] = "no-store"
        return response

    app.add_url_rule("/api/test-echo", "test_echo", echo, methods=["POST"])
    app.add_url_rule("/test/rotate-csrf", "test_rotate_csrf", rotate_csrf)
    app.add_url_rule("/test/private", "test_private", private_page)
    app.extensions["test_echo"] = {"deliveries": deliveries, "seen": seen}


@pytest.fixture
def live_app(tmp_path):
    """The seeded app with the echo endpoint, set up before the server starts."""
    app = make_app(f"sqlite:///{tmp_path / 'live.sqlite'}", seeded=True, SECURE_COOKIES=False)
    add_test_routes(app)
    return app


@pytest.fixture
def cdn_requests():
    """The CDN requests that reached the network layer (the test machine has no internet)."""
    return []


@pytest.fixture
def context(browser, live_server, cdn_requests):
    """A phone profile where the CDN is unreachable: htmx must come from our origin."""
    context = browser.new_context(viewport=PHONE, base_url=live_server.url, has_touch=True)
    context.route(CDN, lambda route: (cdn_requests.append(route.request.url), route.abort()))
    yield context
    context.close()


@pytest.fixture
def page(context, console_errors):
    """A page that fails the test on console errors other than offline requests."""
    return recording_page(context, console_errors, ignored=OFFLINE_NOISE)


def controlled(page, path="/"):
    """Open a page and wait until the service worker controls it, ready for offline use."""
    page.goto(path)
    ready_offline(page)


def assert_accessible(page):
    """axe-core finds no violation on the page as it is now."""
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def eventually(page, check: str, arg=None):
    """Poll an async check in the page until it answers true (at most 10 s); its last answer."""
    return page.evaluate(
        f"""async (arg) => {{
          const check = {check};
          const deadline = Date.now() + 10000;
          while (!(await check(arg)) && Date.now() < deadline) {{
            await new Promise((resolve) => setTimeout(resolve, 25));
          }}
          return check(arg);
        }}""",
        arg,
    )


def outbox_size_once_settled(page) -> int:
    """Wait until the outbox in the page is empty (at most 10 s); answer its size."""
    eventually(page, f"async () => (await ({OUTBOX_COUNT})()) === 0")
    return page.evaluate(OUTBOX_COUNT)


def echo_log(live_app):
    """Deliveries per client_id and every request the server saw."""
    return live_app.extensions["test_echo"]


def test_service_worker_installs_precaches_and_controls_the_page(page, live_app):
    controlled(page)
    version = live_app.extensions["pwa_build"].version
    names = page.evaluate("() => caches.keys()")
    assert sorted(names) == [f"crampcare-pages-{version}", f"crampcare-static-{version}"]
    cached = page.evaluate(CACHED_PATHS)
    for path in ("/", "/offline", "/static/css/app.css", "/static/vendor/htmx-2.0.11.min.js"):
        assert path in cached
    page.reload()
    assert page.evaluate("() => navigator.serviceWorker.controller.scriptURL").endswith("/sw.js")


def test_offline_the_shell_loads_and_htmx_comes_from_the_cache(page, context, cdn_requests):
    controlled(page)
    context.set_offline(True)
    page.goto("/?source=pwa")
    expect(page.locator("h1")).to_have_text("Back cramps after stretching? Find out why.")
    page.wait_for_function("() => window.htmx !== undefined")
    # The CDN URL itself was answered (its SRI and CORS checks passed): no fallback needed.
    scripts = page.evaluate("() => [...document.scripts].map((script) => script.src)")
    assert not any("/static/vendor/" in src for src in scripts)
    assert page.evaluate("() => htmx.version") == "2.0.11"
    assert len(cdn_requests) <= 1  # only the very first load, before the worker, went out
    page.goto("/register")
    expect(page.locator("h1")).to_have_text("You are offline")


def test_offline_routine_page_and_player_load(page, context, live_app):
    slug = "gentle-lower-back-release"
    with live_app.app_context():
        from sqlalchemy import select

        from crampcare.extensions import db
        from crampcare.models import Routine

        slug = db.session.scalar(select(Routine.slug).order_by(Routine.slug))
    if not route_exists(live_app, f"/routines/{slug}/play"):
        pytest.skip("no /routines/<slug> or player route yet: the routines blueprint adds them")
    controlled(page)
    context.set_offline(True)
    for path in (f"/routines/{slug}", f"/routines/{slug}/play"):
        page.goto(path)
        # The player holds a second, hidden h1 for its finish screen.
        expect(page.locator("h1:visible")).not_to_have_text("You are offline")


def test_health_data_pages_are_never_cached(signed_in, live_app):
    page = signed_in
    controlled(page)
    page.goto("/account")
    page.goto("/test/private")
    page.goto("/")
    page.evaluate("() => fetch('/api/csrf-token').then((response) => response.json())")
    cached = page.evaluate(CACHED_PATHS)
    assert "/" in cached
    for path in ("/account", "/test/private", "/api/csrf-token"):
        assert path not in cached


PAGES_KEPT = """async () => {
  let count = 0;
  for (const name of await caches.keys()) {
    if (!name.startsWith("crampcare-pages-")) continue;
    count += (await (await caches.open(name)).keys()).length;
  }
  return count;
}"""


def test_the_workers_copies_leave_a_message_for_the_next_page(signed_in, live_app):
    page = signed_in
    controlled(page, "/account")
    with live_app.app_context():
        pages = len(page_urls(live_app))
    assert eventually(page, f"async (pages) => (await ({PAGES_KEPT})()) === pages", pages)
    # The profile is saved; its answer, a message and a redirect, is not followed yet.
    answer = page.evaluate(
        """() => fetch("/account", {method: "POST", redirect: "manual",
                 body: new FormData(document.querySelector("form[action='/account']"))})
               .then((response) => response.type)"""
    )
    assert answer == "opaqueredirect"
    # Meanwhile the worker keeps every page again, as it does after a page loads.
    page.evaluate(
        """async () => {
          for (const name of await caches.keys()) {
            if (name.startsWith("crampcare-pages-")) await caches.delete(name);
          }
          const account = document.querySelector('meta[name="crampcare-account"]').content;
          (await navigator.serviceWorker.ready).active.postMessage({type: "KEEP_PAGES", account});
        }"""
    )
    assert eventually(page, f"async (pages) => (await ({PAGES_KEPT})()) === pages", pages)
    page.goto("/account")
    expect(page.locator(".flash")).to_have_text("Your profile is saved.")


def test_a_first_visit_fetches_each_static_file_once(browser, live_server, live_app):
    """The worker's precache takes the files the page has just loaded from the browser's
    own copies (their URLs carry their hashes): no hashed URL crosses the network twice."""
    fetched, bare = Counter(), []

    def record(sender, **extra):
        if request.path.startswith("/static/"):
            if "v" in request.args:
                fetched[request.full_path] += 1
            else:
                bare.append(request.path)

    request_started.connect(record, live_app)
    # The CDN answers here (no request routing, which would turn the HTTP cache off).
    context = browser.new_context(viewport=PHONE, base_url=live_server.url)
    controlled(context.new_page())
    context.close()
    request_started.disconnect(record, live_app)
    assert set(fetched) == set(live_app.extensions["pwa_build"].static_files)
    assert [url for url, times in fetched.items() if times > 1] == []
    # app.js imports ./red-flags.js: the page's import map sends it to the hashed URL.
    assert bare == []


def test_modules_imported_by_relative_paths_load_by_their_hashed_urls(
    browser, live_server, live_app, console_errors
):
    """Without a service worker (its first visit, or a browser without one) the player's
    modules and the ones they import come by their hashed, immutable URLs: none is asked
    for by its bare URL, which would be revalidated at every page load."""
    static = []

    def record(sender, **extra):
        if request.path.startswith("/static/"):
            static.append(request.full_path)

    request_started.connect(record, live_app)
    context = browser.new_context(viewport=PHONE, base_url=live_server.url, service_workers="block")
    page = recording_page(context, console_errors)  # checked empty after the test
    page.goto("/routines/gentle-lower-back-release/play")
    page.wait_for_selector("#player[data-state=idle]")
    context.close()
    request_started.disconnect(record, live_app)
    hashes = live_app.extensions["static_hashes"]
    names = {url: url.split("?")[0].removeprefix("/static/") for url in static}
    assert {"js/player.js", "js/cues.js", "js/instants.js", "js/pose-picture.js"} <= set(
        names.values()
    )
    wrong = [url for url, name in names.items() if url != f"/static/{name}?v={hashes[name]}"]
    assert wrong == []


def test_repeat_visit_loads_no_static_file_from_the_network(page, live_app, cdn_requests):
    controlled(page)
    seen = echo_log(live_app)["seen"]
    seen.clear()
    cdn_before = len(cdn_requests)
    page.reload()
    page.wait_for_function("() => window.htmx !== undefined && window.CrampOutbox !== undefined")
    assert [path for _, path in seen if path.startswith("/static/")] == []
    assert len(cdn_requests) == cdn_before
    assert ("GET", "/") in seen  # pages still come fresh from the network first


def test_offline_entry_is_delivered_once_after_reload_and_concurrent_flushes(
    signed_in, context, live_app
):
    page = signed_in
    controlled(page)
    context.set_offline(True)
    page.evaluate(ENQUEUE, ["offline-1", {}])
    summary = page.locator("#outbox-summary")
    expect(summary).to_have_text("1 check-in waiting to sync.")
    assert page.evaluate("() => CrampOutbox.flush()") == 0
    page.reload()
    expect(summary).to_have_text("1 check-in waiting to sync.")
    context.set_offline(False)
    page.evaluate("() => Promise.all([CrampOutbox.flush(), CrampOutbox.flush()])")
    assert outbox_size_once_settled(page) == 0
    expect(summary).to_contain_text("All synced at")
    assert echo_log(live_app)["deliveries"]["offline-1"] == 1


def test_outbox_fetches_a_fresh_csrf_token_when_the_old_one_expired(signed_in, context, live_app):
    page = signed_in
    controlled(page)
    page.evaluate("() => fetch('/test/rotate-csrf').then((response) => response.status)")
    context.set_offline(True)
    page.evaluate(ENQUEUE, ["stale-token", {}])
    context.set_offline(False)
    page.evaluate("() => CrampOutbox.flush()")
    assert outbox_size_once_settled(page) == 0
    log = echo_log(live_app)
    assert log["deliveries"]["stale-token"] == 1
    assert ("GET", "/api/csrf-token") in log["seen"]


def test_submit_or_queue_retries_once_with_a_fresh_token(signed_in, live_app):
    page = signed_in
    controlled(page)
    submit = """(clientId) => CrampOutbox.submitOrQueue({kind: "checkin", url: "/api/test-echo",
              body: {client_id: clientId, water_ml: 250}})"""
    # A first send: the outbox now holds the session's token.
    assert page.evaluate(submit, "first")["outcome"] == "sent"
    page.evaluate("() => fetch('/test/rotate-csrf').then((response) => response.status)")
    stale = page.get_attribute('meta[name="csrf-token"]', "content")
    result = page.evaluate(submit, "retried")
    assert (result["outcome"], result["queued"], result["status"]) == ("sent", False, 201)
    log = echo_log(live_app)
    # The first, then the second refused with the token gone stale, then sent.
    assert log["seen"].count(("POST", "/api/test-echo")) == 3
    assert log["deliveries"]["retried"] == 1
    assert page.get_attribute('meta[name="csrf-token"]', "content") != stale
    assert page.evaluate(OUTBOX_SIZE) == 0


def test_rejected_entry_stays_shown_until_discarded(signed_in, live_app):
    page = signed_in
    controlled(page)
    page.evaluate(ENQUEUE, ["refused", {"reject": True}])
    page.evaluate("() => CrampOutbox.flush()")
    entry = page.locator("#outbox-rejected .outbox-entry")
    expect(entry).to_contain_text("water_ml: Give between 0 and 5000 ml.")
    page.reload()
    expect(entry).to_have_count(1)
    expect(page.locator("#outbox-summary")).to_have_text(
        "1 entry could not be saved: fix or discard."
    )
    expect(entry.get_by_role("link", name="Fix")).to_have_attribute("href", "/")
    assert_accessible(page)
    entry.get_by_role("button", name="Discard").click()
    expect(entry).to_have_count(0)
    assert page.evaluate(OUTBOX_SIZE) == 0
    assert echo_log(live_app)["deliveries"]["refused"] == 0


def test_signed_out_entry_asks_to_sign_in(page):
    controlled(page)
    page.evaluate(ENQUEUE, ["anonymous", {}])
    page.evaluate("() => CrampOutbox.flush()")
    expect(page.locator("#outbox-summary")).to_contain_text("Sign in to sync")
    expect(page.locator("#outbox-summary a")).to_have_attribute("href", "/login")
    assert page.evaluate(OUTBOX_SIZE) == 1


def test_logout_clears_the_outbox_after_a_warning(signed_in):
    page = signed_in
    controlled(page)
    page.evaluate(ENQUEUE, ["unsent", {"reject": True}])
    page.evaluate("() => CrampOutbox.flush()")
    messages = []

    def answer(dialog, accept):
        messages.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda dialog: answer(dialog, False))
    with page.expect_event("dialog"):
        page.get_by_role("button", name="Sign out").click()
    assert messages == ["1 entry not sent yet will be deleted from this device. Sign out anyway?"]
    assert page.evaluate(OUTBOX_SIZE) == 1
    page.once("dialog", lambda dialog: answer(dialog, True))
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login")
    assert page.evaluate(OUTBOX_SIZE) == 0


def test_chrome_finds_the_app_installable(browser, live_server, tmp_path):
    # Incognito profiles are never installable: this check needs a profile on disk.
    context = browser.browser_type.launch_persistent_context(
        str(tmp_path / "profile"),
        executable_path=CHROMIUM,
        args=CHROMIUM_ARGS,
        headless=True,
        viewport=PHONE,
        base_url=live_server.url,
    )
    try:
        context.route(CDN, lambda route: route.abort())
        context.add_init_script(RECORD_LAYOUT_SHIFTS)
        page = context.new_page()
        controlled(page)
        cdp = context.new_cdp_session(page)
        assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []
        manifest = cdp.send("Page.getAppManifest")
        assert manifest["errors"] == []
        # Chrome offered its install prompt: the page turned it into the button.
        install = page.get_by_role("button", name="Install app")
        expect(install).to_be_visible()
        # It appeared in the header's row: nothing on the page moved for it.
        shifts = page.evaluate("window.layoutShifts")
        assert sum(shift["value"] for shift in shifts) < 0.01, shifts
        # And the header's row still fits the narrowest phone with it.
        page.set_viewport_size({"width": 320, "height": 640})
        expect(install).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
    finally:
        context.close()


# Every layout shift a person did not cause (no recent input), with what moved.
RECORD_LAYOUT_SHIFTS = """
window.layoutShifts = [];
new PerformanceObserver((entries) => {
  for (const entry of entries.getEntries()) {
    if (entry.hadRecentInput) continue;
    window.layoutShifts.push({
      value: entry.value,
      moved: entry.sources.map((source) => source.node?.nodeName ?? "?"),
    });
  }
}).observe({type: "layout-shift", buffered: true});
"""


def test_ios_gets_a_dismissable_add_to_home_screen_hint(browser, live_server):
    iphone = (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
    )
    context = browser.new_context(viewport=PHONE, base_url=live_server.url, user_agent=iphone)
    try:
        context.route(CDN, lambda route: route.abort())
        page = context.new_page()
        page.goto("/")
        hint = page.locator("#ios-hint")
        expect(hint).to_contain_text("Add to Home Screen")
        page.evaluate(ENQUEUE, ["from-iphone", {}])
        page.evaluate("() => CrampOutbox.flush()")
        expect(page.locator("#outbox-summary")).to_contain_text("Sign in to sync")
        assert_accessible(page)
        page.get_by_role("button", name="Got it").click()
        expect(hint).to_be_hidden()
        page.reload()
        expect(hint).to_be_hidden()
    finally:
        context.close()


def test_new_version_offers_an_update_that_takes_over_on_reload(page, live_app):
    controlled(page)
    old = live_app.extensions["pwa_build"].version
    live_app.config["PWA_VERSION_SALT"] = "next release"
    live_app.extensions["pwa_build"] = make_build(live_app)
    new = live_app.extensions["pwa_build"].version
    assert new != old
    page.evaluate("() => navigator.serviceWorker.getRegistration().then((r) => r.update())")
    banner = page.locator("#update-banner")
    expect(banner).to_contain_text("Update available")
    assert_accessible(page)
    with page.expect_event("load"):
        banner.get_by_role("button", name="Reload").click()
    assert eventually(
        page,
        "(version) => caches.keys().then((names) => names.every((n) => n.endsWith(version)))",
        new,
    )
    assert len(page.evaluate("() => caches.keys()")) == 2
    expect(page.locator("#update-banner")).to_be_hidden()


def test_background_sync_flushes_from_the_service_worker(signed_in, context, live_app):
    page = signed_in
    controlled(page)
    cdp = context.new_cdp_session(page)
    registrations = []
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda event: registrations.extend(event["registrations"]),
    )
    cdp.send("ServiceWorker.enable")
    # A page without the outbox script: only the worker can send what is stored here.
    page.goto("/test/private")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.evaluate(
        """() => new Promise((resolve, reject) => {
          const open = indexedDB.open("crampcare-outbox");
          open.onsuccess = () => {
            const tx = open.result.transaction("entries", "readwrite");
            tx.objectStore("entries").put({
              client_id: "synced-by-worker", kind: "checkin", url: "/api/test-echo",
              method: "POST", body: {client_id: "synced-by-worker"}, form_url: null,
              created_at: new Date().toISOString(), status: "pending", errors: null,
            });
            tx.oncomplete = resolve;
            tx.onerror = reject;
          };
        })"""
    )
    assert registrations, "no service worker registration reported"
    cdp.send(
        "ServiceWorker.dispatchSyncEvent",
        {
            "origin": page.evaluate("() => location.origin"),
            "registrationId": registrations[0]["registrationId"],
            "tag": "crampcare-outbox",
            "lastChance": False,
        },
    )
    assert outbox_size_once_settled(page) == 0
    assert echo_log(live_app)["deliveries"]["synced-by-worker"] == 1


def test_entries_older_than_30_days_are_shown_as_stale(page, context):
    controlled(page)
    context.set_offline(True)
    page.evaluate(
        """() => CrampOutbox.enqueue({
          client_id: "old", kind: "checkin", url: "/api/test-echo", method: "POST",
          body: {client_id: "old"}, form_url: null, status: "pending", errors: null,
          created_at: new Date(Date.now() - 31 * 24 * 3600 * 1000).toISOString(),
        })"""
    )
    expect(page.locator("#outbox-summary")).to_have_text(
        "1 check-in waiting to sync (1 over 30 days old)."
    )


def test_an_entry_is_only_sent_for_the_account_that_made_it(signed_in, live_app):
    page = signed_in
    controlled(page)
    mine = page.get_attribute('meta[name="crampcare-account"]', "content")
    assert mine
    page.evaluate(ENQUEUE, ["mine", {}])
    # An entry left by another account on this phone (say, a sign-in that expired).
    page.evaluate(
        """() => CrampOutbox.enqueue({
             client_id: "theirs", account: "another-account", kind: "checkin",
             url: "/api/test-echo", method: "POST", body: {client_id: "theirs"},
             form_url: "/", created_at: new Date().toISOString(), status: "pending",
             errors: null})"""
    )
    page.evaluate("() => CrampOutbox.flush()")
    entries = page.evaluate("() => CrampOutbox.list()")
    assert [(e["client_id"], e["status"]) for e in entries] == [("theirs", "pending")]
    deliveries = echo_log(live_app)["deliveries"]
    assert deliveries["mine"] == 1
    assert deliveries["theirs"] == 0
