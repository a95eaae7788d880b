"""Forms on a phone: the error summary takes focus, a cramp is dated, a saved check-in
leads on, a share code is copied or shared, the timezone list is searched."""

import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect
from sqlalchemy import select, update

from crampcare.extensions import db
from crampcare.models import Checkin, Share, User, WorkoutSession

from ..conftest import PASSWORD
from .conftest import sign_up

# 08:30 on 2 March 2026 in Paris (07:30 UTC), the morning after a night cramp.
MORNING = datetime(2026, 3, 2, 7, 30, tzinfo=UTC)


def run_sql(live_app, statement):
    with live_app.app_context():
        db.session.execute(statement)
        db.session.commit()
        db.session.remove()


def rows(live_app, model):
    with live_app.app_context():
        found = db.session.scalars(select(model)).all()
        db.session.remove()
        return found


PAGES_KEPT = """async () => {
  const text = await (await fetch("/sw.js")).text();
  const settings = text.split("\\n")[0].replace(/^self.WORKER_SETTINGS = /, "");
  const pages = JSON.parse(settings.replace(/;$/, "")).pages;
  const name = (await caches.keys()).find((key) => key.startsWith("crampcare-pages-"));
  if (!name) return false;
  const cache = await caches.open(name);
  const kept = await Promise.all(pages.map((url) => cache.match(url)));
  return kept.every(Boolean);
}"""


@pytest.fixture
def patient(signed_in):
    """A signed-in patient whose service worker holds every page it keeps.

    The worker fetches its pages while the sign-in is fresh; until they are in, one of
    them can still write a new CSRF token into the session and fail a form rendered first.
    """
    signed_in.wait_for_function(PAGES_KEPT, polling=200)
    return signed_in


def test_a_failed_save_moves_focus_to_the_summary_and_its_links_to_the_fields(patient):
    page = patient
    page.goto("/cramps/new")
    page.wait_for_function("window.htmx !== undefined")
    page.get_by_role("button", name="Save check-in").click()
    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport()
    expect(summary.get_by_role("link")).to_have_text(
        ["When did it cramp? Say when the cramp came."]
    )
    summary.get_by_role("link").first.click()
    expect(page.locator("#cramp_timing-0")).to_be_focused()
    expect(page.get_by_text("When did it cramp?", exact=True)).to_be_in_viewport()


def test_the_summary_takes_focus_without_htmx_too(patient, live_app):
    page = patient
    page.goto("/account")
    page.get_by_role("button", name="Change password").click()
    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_text(
        ["Current password: Enter your current password.", "New password: Enter a password."]
    )
    summary.get_by_role("link").nth(1).click()
    expect(page.locator("#new_password")).to_be_focused()


def test_a_night_cramp_logged_in_the_morning_keeps_its_night(patient, live_app):
    page = patient
    run_sql(live_app, update(User).values(timezone="Europe/Paris"))
    # Date is fixed at that morning; timers (htmx's swap) still run.
    page.clock.set_fixed_time(MORNING)
    page.goto("/cramps/new")
    # The form opens at now on the person's own clock, and cannot be dated ahead.
    expect(page.locator("#recorded_date")).to_have_value("2026-03-02")
    expect(page.locator("#recorded_time")).to_have_value("08:30")
    expect(page.locator("#recorded_date")).to_have_attribute("max", "2026-03-02")
    for name in ("water_ml", "electrolytes", "sweat", "exertion"):
        expect(page.locator(f"[name={name}]")).to_have_count(0)
    page.fill("#recorded_date", "2026-03-01")
    page.fill("#recorded_time", "23:40")
    page.check("input[name=cramp_timing][value=night]")
    page.get_by_role("button", name="Save check-in").click()
    expect(page.get_by_role("heading", name="Check-in saved.")).to_be_focused()
    [checkin] = rows(live_app, Checkin)
    assert checkin.recorded_at == datetime(2026, 3, 1, 22, 40, tzinfo=UTC)
    assert checkin.recorded_offset_minutes == 60
    assert (checkin.cramp_timing, checkin.water_ml) == ("night", None)


def test_after_saving_the_page_leads_on_and_the_sessions_form_reopens_its_checkin(
    patient, live_app
):
    page = patient
    with live_app.app_context():
        user = db.session.scalar(select(User))
        session = WorkoutSession(
            user_id=user.id,
            client_id="5b0c4f0e-8a43-4e0f-9d7e-1f3c2a1b0c9d",
            routine_slug="gentle-lower-back",
            started_at=datetime(2026, 3, 1, 18, 0, tzinfo=UTC),
            ended_at=datetime(2026, 3, 1, 18, 8, tzinfo=UTC),
            steps_completed=6,
            steps_total=6,
        )
        db.session.add(session)
        db.session.commit()
        session_id = session.id
        db.session.remove()
    page.goto(f"/checkins/new?session={session_id}")
    page.check("input[name=cramp_severity][value='0']")
    page.fill("#water_ml", "500")
    page.get_by_role("button", name="Save check-in").click()
    saved = page.get_by_role("heading", name="Check-in saved.")
    expect(saved).to_be_focused()
    next_steps = page.get_by_role("navigation", name="What next")
    expect(next_steps.get_by_role("link")).to_have_text(
        ["See your dashboard", "Another routine", "Your check-ins", "Home"]
    )
    for link in next_steps.get_by_role("link").all():
        box = link.bounding_box()
        assert box["height"] >= 44 and box["x"] >= 0 and box["x"] + box["width"] <= 390
    # Back at the session's form: the check-in made, to change, never a blank second one.
    page.goto(f"/checkins/new?session={session_id}")
    expect(page.get_by_role("heading", name="Your check-in after this session")).to_be_visible()
    expect(page.locator("#water_ml")).to_have_value("500")
    page.check("input[name=pain][value='2']")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("heading", name="Check-in updated.")).to_be_focused()
    [checkin] = rows(live_app, Checkin)
    assert (checkin.session_id, checkin.pain, checkin.water_ml) == (session_id, 2, 500)


def test_a_share_code_is_copied_with_words_said_aloud(patient, context):
    page = patient
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto("/sharing")
    page.get_by_role("button", name="Make a share code").click()
    code = page.locator(".share-code").inner_text()
    share = page.get_by_role("button", name=f"Share code {code}")
    expect(share).to_be_hidden()  # no system share sheet in this browser
    page.get_by_role("button", name=f"Copy code {code}").click()
    status = page.locator("[data-share-feedback]")
    expect(status).to_have_text(f"Copied {code}. Paste it into a message to your clinician.")
    expect(status).to_have_attribute("aria-live", "polite")
    assert page.evaluate("navigator.clipboard.readText()") == code


def test_a_share_code_goes_to_the_share_sheet_where_there_is_one(patient):
    page = patient
    page.add_init_script("navigator.share = async (data) => { window.sharedData = data; };")
    page.goto("/sharing")
    page.get_by_role("button", name="Make a share code").click()
    code = page.locator(".share-code").inner_text()
    page.get_by_role("button", name=f"Share code {code}").click()
    expect(page.locator("[data-share-feedback]")).to_have_text(f"Shared {code}.")
    shared = page.evaluate("window.sharedData")
    assert shared["title"] == "CrampCare share code"
    assert shared["text"].startswith(f"My CrampCare share code is {code}.")


def test_revoking_a_clinician_asks_first(patient, live_app, browser, live_server):
    page = patient
    page.goto("/sharing")
    page.get_by_role("button", name="Make a share code").click()
    code = page.locator(".share-code").inner_text()
    doctor_context = browser.new_context(base_url=live_server.url)
    doctor_context.route(re.compile(r"https://cdn\.jsdelivr\.net/.*"), lambda r: r.abort())
    doctor = doctor_context.new_page()
    sign_up(doctor, email="doc@example.com", role="clinician")
    doctor.goto("/clinician/patients")
    doctor.fill("#code", code)
    doctor.get_by_role("button", name="Add patient").click()
    doctor_context.close()
    page.goto("/sharing")
    page.get_by_role("link", name="Revoke access for doc@example.com").click()
    expect(page.get_by_role("heading", name="Stop sharing with doc@example.com?")).to_be_visible()
    page.get_by_role("link", name="Keep sharing").click()
    assert rows(live_app, Share)[0].revoked_at is None
    page.get_by_role("link", name="Revoke access for doc@example.com").click()
    page.get_by_role("button", name="Yes, revoke access").click()
    expect(page.get_by_text("Nobody else can see your data.")).to_be_visible()
    assert rows(live_app, Share)[0].revoked_at is not None


def test_the_timezone_list_is_searched_and_starts_at_the_devices_zone(
    browser, live_server, live_app
):
    # Chromium names India's zone by its old alias; the list has only Asia/Kolkata.
    context = browser.new_context(
        viewport={"width": 320, "height": 568},
        base_url=live_server.url,
        timezone_id="Asia/Calcutta",
    )
    context.route(re.compile(r"https://cdn\.jsdelivr\.net/.*"), lambda r: r.abort())
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_up(page, email="delhi@example.com")
    run_sql(live_app, update(User).values(timezone="UTC"))
    page.goto("/account")
    select_box = page.locator("#timezone")
    expect(select_box).to_have_value("Asia/Kolkata")
    expect(page.locator("[data-timezone-matches]")).to_contain_text("Set from this device")
    search = page.get_by_label("Find a city or country")
    search.fill("new zealand")
    expect(page.locator("[data-timezone-matches]")).to_have_text(
        re.compile(r"^3 matches; chosen: McMurdo, Antarctica")
    )
    search.fill("auckland")
    expect(select_box).to_have_value("Pacific/Auckland")
    search.fill("sao paulo")
    expect(select_box).to_have_value("America/Sao_Paulo")
    search.fill("zzzz")
    expect(page.locator("[data-timezone-matches]")).to_contain_text("No timezone matches")
    search.fill("tokyo")
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text("Your profile is saved.")).to_be_visible()
    with live_app.app_context():
        assert db.session.scalar(select(User.timezone)) == "Asia/Tokyo"
        db.session.remove()
    # The saved page's text shows before its stylesheet may have arrived: lay it out once
    # it has loaded (unstyled, the list of zones is as wide as its longest name).
    page.wait_for_load_state("load")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert errors == []
    context.close()


def test_keep_me_signed_in_is_ticked_in_the_installed_app(browser, live_server, live_app):
    context = browser.new_context(base_url=live_server.url)
    context.route(re.compile(r"https://cdn\.jsdelivr\.net/.*"), lambda r: r.abort())
    page = context.new_page()
    page.goto("/login")
    expect(page.get_by_label("Keep me signed in on this device")).not_to_be_checked()
    # Chromium cannot emulate display-mode from a test: the installed app's media query
    # answers as it would there ("all" always matches), every other query as usual.
    page.add_init_script(
        "const realMatch = window.matchMedia.bind(window);"
        "window.matchMedia = (q) => realMatch(q === '(display-mode: standalone)' ? 'all' : q);"
    )
    page.reload()
    assert page.evaluate("matchMedia('(display-mode: standalone)').matches")
    expect(page.get_by_label("Keep me signed in on this device")).to_be_checked()
    # A form sent back after a failed sign-in keeps the person's own choice.
    page.get_by_label("Keep me signed in on this device").uncheck()
    page.get_by_label("Email").fill("nobody@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_be_focused()
    expect(page.get_by_label("Keep me signed in on this device")).not_to_be_checked()
    context.close()
