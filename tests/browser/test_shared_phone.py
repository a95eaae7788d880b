"""A shared phone in Chromium: the next person never sees what was kept for the last.

The service worker empties its page caches when the server names another account
(or none: a sign-out made elsewhere) and when the API answers 401 for the account it
knows; the outbox shows each person only their own entries.
"""

import threading

import pytest
from playwright.sync_api import expect
from sqlalchemy import delete

from crampcare.extensions import db
from crampcare.logins import unauthorised
from crampcare.models import LoginSession

from .conftest import OFFLINE_NOISE, ready_offline, recording_page, sign_up

# The body the worker kept for a path, or null.
KEPT_PAGE = """async (path) => {
  for (const name of await caches.keys()) {
    if (!name.startsWith("crampcare-pages-")) continue;
    const kept = await (await caches.open(name)).match(path);
    if (kept) return kept.text();
  }
  return null;
}"""


@pytest.fixture
def page(context, console_errors):
    """A page that fails the test on console errors other than offline requests."""
    return recording_page(context, console_errors, ignored=OFFLINE_NOISE)


def account_of(page) -> str:
    """The account tag the page was rendered for."""
    return page.get_attribute('meta[name="crampcare-account"]', "content")


def wait_until_kept(page, path: str, text: str) -> None:
    """Poll the page caches until the copy of a path holds some text (at most 15 s, as long
    as any expectation waits: on a busy machine the worker's fetches queue behind others)."""
    kept = page.evaluate(
        f"""async ([path, text]) => {{
          const deadline = Date.now() + 15000;
          const holds = async () => ((await ({KEPT_PAGE})(path)) || "").includes(text);
          while (!(await holds()) && Date.now() < deadline) {{
            await new Promise((resolve) => setTimeout(resolve, 25));
          }}
          return holds();
        }}""",
        [path, text],
    )
    assert kept, f"{path} was not kept with {text!r}"


def sign_out_elsewhere(live_app) -> None:
    """Every sign-in ends on the server, as after "sign out everywhere" on another phone."""
    with live_app.app_context():
        db.session.execute(delete(LoginSession))
        db.session.commit()
        db.session.remove()


def test_the_next_person_on_the_phone_sees_nothing_of_the_last(page, context, live_app):
    sign_up(page, email="first@example.com")
    ready_offline(page)
    first = account_of(page)
    page.goto("/checkins/new")  # the first person opens the form online: it is kept
    wait_until_kept(page, "/checkins/new", first)
    # Something the first person left unsent.
    page.evaluate(
        """() => CrampOutbox.enqueue({kind: "checkin", url: "/api/checkins", formUrl: "/",
                                      body: {water_ml: 500}})"""
    )
    sign_out_elsewhere(live_app)
    page.goto("/")
    # The server names no account now: what was kept for the first person is gone.
    assert page.evaluate(KEPT_PAGE, "/checkins/new") is None or first not in page.evaluate(
        KEPT_PAGE, "/checkins/new"
    )

    sign_up(page, email="second@example.com")
    second = account_of(page)
    assert second and second != first
    summary = page.locator("#outbox-summary")
    expect(page.locator("#outbox-status")).to_be_hidden()
    expect(summary).not_to_contain_text("waiting")
    page.goto("/checkins/new")
    wait_until_kept(page, "/checkins/new", second)

    context.set_offline(True)
    page.goto("/checkins/new")
    assert account_of(page) == second
    assert first not in page.content()


def test_a_401_from_the_server_empties_the_page_caches(page, live_app):
    sign_up(page, email="first@example.com")
    ready_offline(page)
    page.goto("/checkins/new")
    wait_until_kept(page, "/checkins/new", account_of(page))
    sign_out_elsewhere(live_app)
    status = page.evaluate("() => fetch('/api/sessions').then((response) => response.status)")
    assert status == 401
    assert page.evaluate(KEPT_PAGE, "/checkins/new") is None


@pytest.fixture
def held_request(live_app):
    """/api/test-held: a request held up on its way (until released), then answered 401 as
    for a sign-in that has ended. Added before the server starts."""
    arrived, release = threading.Event(), threading.Event()

    def held():
        arrived.set()
        release.wait(15)
        return unauthorised()

    live_app.add_url_rule("/api/test-held", "test_held", held)
    yield arrived, release
    release.set()


def test_a_401_on_its_way_before_the_next_sign_in_leaves_that_sign_in_alone(
    held_request, page, context, live_app, console_errors
):
    arrived, release = held_request
    sign_up(page, email="first@example.com")
    ready_offline(page)
    # In another tab, a request of the first person's is slow to come back.
    waiting = recording_page(context, console_errors, ignored=OFFLINE_NOISE)
    waiting.goto("/")
    assert waiting.evaluate("() => navigator.serviceWorker.controller !== null")
    waiting.evaluate("() => { window.late = fetch('/api/test-held').then((r) => r.status); }")
    assert arrived.wait(15)
    sign_out_elsewhere(live_app)

    sign_up(page, email="second@example.com")
    second = account_of(page)
    page.goto("/checkins/new")
    wait_until_kept(page, "/checkins/new", second)
    release.set()
    assert waiting.evaluate("() => window.late") == 401
    # That 401 spoke of the first person's sign-in: what is kept for the second stays.
    assert second in (page.evaluate(KEPT_PAGE, "/checkins/new") or "")
