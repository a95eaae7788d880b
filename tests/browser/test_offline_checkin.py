"""A check-in made offline waits in the outbox and reaches the server exactly once."""

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from crampcare.extensions import db
from crampcare.models import Checkin, User
from crampcare.vocabulary import ML_PER_FL_OZ

from ..conftest import CSRF_META, PASSWORD

pytestmark = pytest.mark.goes_offline


def stored(live_app) -> list[Checkin]:
    with live_app.app_context():
        rows = db.session.scalars(select(Checkin)).all()
        db.session.remove()
        return rows


def test_a_cramp_logged_offline_is_sent_once_when_back_online(signed_in, context, live_app):
    page = signed_in
    page.goto("/cramps/new")
    page.wait_for_function("window.CrampOutbox !== undefined && window.htmx !== undefined")
    context.set_offline(True)
    page.check("input[name=cramp_severity][value='2']")
    page.check("input[name=cramp_timing][value=night]")
    page.check("input[name=cramp_locations][value=lower_back_left]")
    day = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    page.fill("#recorded_date", day)
    page.fill("#recorded_time", "03:20")
    page.get_by_role("button", name="Save check-in").click()
    page.get_by_role("heading", name="Saved on this phone").wait_for()
    # Kept on the phone, it still leads on.
    expect(page.get_by_role("link", name="See your dashboard")).to_be_visible()
    waiting = page.evaluate("() => CrampOutbox.list()")
    assert [(e["kind"], e["status"]) for e in waiting] == [("checkin", "pending")]
    # The time typed, on the account's clock (UTC here), kept for later.
    assert waiting[0]["body"]["recorded_at"] == f"{day}T03:20:00+00:00"
    assert "recorded_date" not in waiting[0]["body"]
    assert stored(live_app) == []

    context.set_offline(False)
    # Two flushes at once (the online event and a page load, say) still send it once.
    page.evaluate("() => Promise.all([CrampOutbox.flush(), CrampOutbox.flush()])")
    page.wait_for_function("async () => (await CrampOutbox.list()).length === 0")
    rows = stored(live_app)
    assert len(rows) == 1
    checkin = rows[0]
    assert (checkin.cramp_severity, checkin.cramp_timing, checkin.water_ml) == (2, "night", None)
    assert checkin.recorded_at.isoformat() == f"{day}T03:20:00+00:00"
    assert checkin.cramp_locations == ["lower_back_left"]
    assert checkin.client_id == waiting[0]["client_id"]
    page.reload()
    assert len(stored(live_app)) == 1


def test_water_in_fluid_ounces_is_converted_with_the_servers_factor(signed_in, context, live_app):
    with live_app.app_context():
        patient = db.session.scalars(select(User)).one()
        patient.units = "floz"
        db.session.commit()
        db.session.remove()
    page = signed_in
    # The check-in form asks about water; a cramp logged on its own does not.
    page.goto("/checkins/new")
    page.wait_for_function("window.CrampOutbox !== undefined && window.htmx !== undefined")
    factor = page.get_attribute("[data-ml-per-fl-oz]", "data-ml-per-fl-oz")
    assert float(factor) == ML_PER_FL_OZ
    context.set_offline(True)
    page.check("input[name=cramp_severity][value='1']")
    page.check("input[name=cramp_timing][value=at_rest]")
    page.fill("#water_ml", "16.9")
    page.get_by_role("button", name="Save check-in").click()
    page.get_by_role("heading", name="Saved on this phone").wait_for()
    waiting = page.evaluate("() => CrampOutbox.list()")
    # What the no-JavaScript form would store for the same box: 16.9 fl oz is 500 ml.
    assert waiting[0]["body"]["water_ml"] == round(16.9 * ML_PER_FL_OZ) == 500


def test_a_page_older_than_the_session_sends_without_a_refused_first_try(
    signed_in, context, live_app
):
    """The page's token is not trusted for a send: the page may be older than the session
    (kept by the service worker, or signed in again since in another tab). The first send
    already carries the session's token, so no request is refused (a 400 in the console)."""
    page = signed_in
    page.goto("/cramps/new")
    page.wait_for_function("window.CrampOutbox !== undefined && window.htmx !== undefined")
    context.set_offline(True)
    page.check("input[name=cramp_severity][value='1']")
    page.check("input[name=cramp_timing][value=night]")
    page.get_by_role("button", name="Save check-in").click()
    page.get_by_role("heading", name="Saved on this phone").wait_for()

    # Signed in again elsewhere on this browser (no page of ours, so no flush of its
    # own; this request does not go through the page's network, so it is not offline):
    # a new session with a CSRF secret of its own.
    login_page = context.request.get("/login").text()
    signed_in_again = context.request.post(
        "/login",
        form={
            "email": "walker@example.com",
            "password": PASSWORD,
            "csrf_token": CSRF_META.search(login_page).group(1),
        },
        max_redirects=0,
    )
    assert signed_in_again.status == 303

    # Back online: the page flushes on its own (the `online` event), and here once more.
    context.set_offline(False)
    page.evaluate("() => CrampOutbox.flush()")
    page.wait_for_function("async () => (await CrampOutbox.list()).length === 0")
    assert len(stored(live_app)) == 1
