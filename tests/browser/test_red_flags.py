"""Red flags on the check-in form: an emergency-tier flag shows what to do before saving."""

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from crampcare.extensions import db
from crampcare.models import User


def assert_accessible(page):
    """axe-core finds nothing wrong with the page as it is now (contrast included)."""
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def notice(page):
    return page.locator("[data-emergency-notice]")


def test_an_emergency_flag_shows_the_message_at_once_and_is_saved(signed_in):
    page = signed_in
    page.goto("/cramps/new")
    page.click("summary:has-text('Anything worrying?')")
    expect(notice(page)).to_be_hidden()
    # A same-day flag asks for a doctor today, not the emergency message.
    page.check("input[name=red_flags][value=fever]")
    expect(notice(page)).to_be_hidden()
    page.check("input[name=red_flags][value=chest_pain]")
    expect(notice(page)).to_be_visible()
    expect(notice(page)).to_contain_text("Call your local emergency number")
    page.uncheck("input[name=red_flags][value=chest_pain]")
    expect(notice(page)).to_be_hidden()
    page.check("input[name=red_flags][value=dark_urine]")
    expect(notice(page)).to_be_visible()
    assert_accessible(page)

    page.check("input[name=cramp_severity][value='2']")
    page.check("input[name=cramp_timing][value=at_rest]")
    page.click("#checkin-form button[type=submit]")
    emergency = page.locator(".advice-emergency")
    expect(emergency).to_be_visible()
    expect(emergency).to_contain_text("brown or cola-coloured pee")
    # Only the emergency and urgent items: no self-care tip beside them.
    expect(page.locator(".advice-tip")).to_have_count(0)
    expect(page.locator(".advice-urgent")).to_contain_text("a fever with back pain")

    page.goto("/")
    expect(page.locator(".pressing-advice .advice-emergency")).to_be_visible()
    assert_accessible(page)
    page.goto("/dashboard")
    expect(page.locator("#advice-panel .advice-emergency")).to_be_visible()
    assert_accessible(page)
    colour = page.locator("#advice-panel .advice-emergency").evaluate(
        "element => getComputedStyle(element).backgroundColor"
    )
    assert colour == "rgb(180, 35, 24)"


def test_with_osteoporosis_an_injury_shows_the_emergency_message(signed_in, live_app):
    with live_app.app_context():
        user = db.session.scalar(db.select(User))
        user.conditions = ["osteoporosis"]
        db.session.commit()
    page = signed_in
    page.goto("/cramps/new")
    page.click("summary:has-text('Anything worrying?')")
    page.check("input[name=red_flags][value=after_injury]")
    expect(notice(page)).to_be_visible()
