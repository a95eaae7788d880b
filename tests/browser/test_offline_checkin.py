"""A check-in made offline waits in the outbox and reaches the server exactly once."""

from datetime import UTC, datetime, timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from crampcare.extensions import db
from crampcare.models import Checkin


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
