"""The dashboard in a phone browser: panels swap in place, rows edit and delete in place."""

import re
import uuid
from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from sqlalchemy import select

from crampcare.extensions import db
from crampcare.models import Checkin, User, utcnow


def add_checkins(app, severities):
    """Store check-ins for the signed-in walker, one a day back from yesterday."""
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.email == "walker@example.com"))
        for n, severity in enumerate(severities):
            db.session.add(
                Checkin(
                    user_id=user_id,
                    client_id=str(uuid.uuid4()),
                    recorded_at=utcnow() - timedelta(days=n + 1, hours=1),
                    cramp_severity=severity,
                    cramp_timing="after_stretch" if severity else None,
                    water_ml=600,
                    exertion=5,
                    notes=f"note {n}",
                )
            )
        db.session.commit()
        db.session.remove()


def open_dashboard(page, path="/dashboard"):
    page.goto(path)
    page.wait_for_function("window.htmx !== undefined")
    # Set on this document only: a full page load would drop it.
    page.evaluate("window.__noReload = true")


@pytest.fixture
def rows(signed_in):
    return signed_in.locator("#recent-checkins > li.checkin-row")


def test_saving_a_checkin_refreshes_the_advice_in_place(signed_in, live_app, rows):
    page = signed_in
    add_checkins(live_app, [3, 0, 0])
    open_dashboard(page)
    expect(page.locator("#advice-panel .advice-warning")).to_have_count(0)
    row = rows.nth(1)
    row.get_by_role("link", name=re.compile("^Edit")).click()
    form = page.locator("#recent-checkins li.editing form")
    form.locator(".severity label", has_text="Severe").click()
    form.locator("label", has_text="After stretching").click()
    form.get_by_role("button", name="Save changes").click()
    expect(page.locator("#recent-checkins li.editing")).to_have_count(0)
    expect(rows.nth(1)).to_contain_text("Severe cramp")
    # Two severe cramps now: the advice panel heard checkin-saved and fetched itself again.
    expect(page.locator("#advice-panel .advice-warning")).to_have_count(1)
    expect(page.locator("#chart-panel")).to_contain_text("2 cramps in the last 28 days")
    assert page.evaluate("window.__noReload") is True


def test_cancel_brings_the_row_back(signed_in, live_app, rows):
    page = signed_in
    add_checkins(live_app, [0])
    open_dashboard(page)
    rows.first.get_by_role("link", name=re.compile("^Edit")).click()
    page.locator("#recent-checkins li.editing").get_by_role("link", name="Cancel").click()
    expect(page.locator("#recent-checkins li.editing")).to_have_count(0)
    expect(rows.first).to_contain_text("note 0")
    assert page.evaluate("window.__noReload") is True


def test_load_more_appends_rows(signed_in, live_app, rows):
    page = signed_in
    add_checkins(live_app, [0] * 13)
    open_dashboard(page)
    expect(rows).to_have_count(10)
    page.get_by_role("link", name="Load more check-ins").click()
    expect(rows).to_have_count(13)
    expect(rows.last).to_contain_text("note 12")
    expect(page.locator(".load-more")).to_have_count(0)
    assert page.evaluate("window.__noReload") is True


def test_delete_removes_the_row_in_place(signed_in, live_app, rows):
    page = signed_in
    add_checkins(live_app, [2, 0, 0])
    open_dashboard(page)
    page.on("dialog", lambda dialog: dialog.accept())
    rows.first.get_by_role("button", name=re.compile("^Delete")).click()
    expect(rows).to_have_count(2)
    expect(page.locator("#chart-panel")).to_contain_text("0 cramps in the last 28 days")
    assert page.evaluate("window.__noReload") is True
    with live_app.app_context():
        assert len(db.session.scalars(select(Checkin)).all()) == 2
        db.session.remove()


def test_the_range_switch_swaps_panels_and_keeps_history(signed_in, live_app):
    page = signed_in
    add_checkins(live_app, [1] * 20)
    open_dashboard(page)
    page.get_by_role("link", name="7 days").click()
    page.wait_for_url("**/dashboard?range=7")
    expect(page.locator("#chart-panel")).to_contain_text("in the last 7 days")
    assert page.evaluate("window.__noReload") is True
    page.go_back()
    page.wait_for_url("**/dashboard")
    expect(page.locator("#chart-panel")).to_contain_text("in the last 28 days")
    page.reload()
    expect(page.locator("#chart-panel")).to_contain_text("in the last 28 days")


@pytest.mark.parametrize("severities", [[], [3, 1, 0, 2, 0]], ids=["first-run", "with-history"])
def test_the_dashboard_has_no_accessibility_violations(signed_in, live_app, severities):
    page = signed_in
    add_checkins(live_app, severities)
    open_dashboard(page)
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
