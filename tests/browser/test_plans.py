"""A home programme in the browser: set by the clinician with htmx, first on the patient's home."""

import re

from crampcare.extensions import db

from ..records import share_between
from .conftest import sign_up
from .test_sharing_flow import shot

SMALL_PHONE = {"width": 320, "height": 568}
LONG_EMAIL = "maria.fernanda.delgado-fernandez.de-la-cruz.garcia-lopez@example-clinic.org"


def fits(page, width: int) -> bool:
    """Nothing is wider than the screen: long names wrap, never pushed off or clipped."""
    page.wait_for_load_state("load")  # laid out with its stylesheet, not before it arrives
    return page.evaluate("document.documentElement.scrollWidth") <= width


def test_a_plan_set_with_htmx_shows_first_at_home(browser, live_server, live_app, page):
    sign_up(page, email=LONG_EMAIL)
    doctor_context = browser.new_context(viewport=SMALL_PHONE, base_url=live_server.url)
    doctor = doctor_context.new_page()
    errors = []
    doctor.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    doctor.on("pageerror", lambda error: errors.append(str(error)))
    sign_up(doctor, email="dr.okafor@example.com", role="clinician")
    share_between(live_app, LONG_EMAIL, "dr.okafor@example.com")
    with live_app.app_context():
        db.session.remove()

    doctor.goto("/clinician/patients")
    name = doctor.locator(".patients-table tbody th").first
    assert LONG_EMAIL in name.inner_text()
    assert fits(doctor, SMALL_PHONE["width"])
    shot(doctor, "plans-patient-list")
    name.locator("a").click()
    doctor.wait_for_url(re.compile(r"/clinician/patients/\d+$"))
    assert fits(doctor, SMALL_PHONE["width"])
    doctor.select_option("#routine_slug", "gentle-lower-back-release")
    doctor.fill("#sessions_per_week", "4")
    doctor.fill("#note", "Slow and easy.")
    url = doctor.url
    doctor.click("text=Set plan")
    # htmx swaps the panel in place: the page stays, the plan and its week appear.
    doctor.wait_for_selector("#plans .adherence-table")
    assert doctor.url == url
    panel = doctor.locator("#plans").inner_text()
    assert "0 of 4" in panel and "Slow and easy." in panel
    assert fits(doctor, SMALL_PHONE["width"])
    shot(doctor, "plans-patient-page")
    doctor_context.close()
    assert errors == []

    page.goto("/")
    home = page.locator("main").inner_text()
    assert home.index("Your home programme") < home.index("Stretch now")
    page.click("text=Start Gentle lower back release")
    page.wait_for_url("**/routines/gentle-lower-back-release/play")
