"""Sharing in the browser: a code made, redeemed, the patient's data seen, the log read."""

import re
from datetime import timedelta
from pathlib import Path

from crampcare.extensions import db

from ..records import add_checkin, add_session
from .conftest import PHONE, SHOTS, shot, sign_up


def fits_the_phone(page) -> bool:
    """Nothing but the scrolling tables is wider than the screen."""
    page.wait_for_load_state("load")  # laid out with its stylesheet, not before it arrives
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_share_redeem_view_and_audit(browser, live_server, live_app, page, console_errors):
    sign_up(page, email="rosa@example.com")
    from crampcare.models import utcnow

    session_id = add_session(live_app, "rosa@example.com")
    for days_ago, water in ((0, 250), (3, 300), (8, 900), (15, 200)):
        add_checkin(
            live_app,
            "rosa@example.com",
            recorded_at=utcnow() - timedelta(days=days_ago, hours=1),
            water_ml=water,
            notes="Tight after the cat stretch",
            session_id=session_id if days_ago == 0 else None,
        )
    with live_app.app_context():
        db.session.remove()

    page.goto("/sharing")
    page.click("text=Make a share code")
    code = page.locator(".share-code").first.inner_text()
    assert re.fullmatch(r"[A-Z0-9]{8}", code)
    assert fits_the_phone(page)
    shot(page, "sharing-code")

    doctor_context = browser.new_context(viewport=PHONE, base_url=live_server.url)
    doctor = doctor_context.new_page()
    doctor.on("pageerror", lambda error: console_errors.append(str(error)))
    sign_up(doctor, email="dr.lee@example.com", role="clinician")
    doctor.click("text=Patients")
    doctor.fill("#code", code.lower())
    doctor.click("text=Add patient")
    doctor.wait_for_url(re.compile(r"/clinician/patients/\d+$"))
    assert "Tight after the cat stretch" in doctor.content()
    assert fits_the_phone(doctor)
    shot(doctor, "clinician-patient")
    doctor.goto("/clinician/patients")
    assert "rosa@example.com" in doctor.content()
    shot(doctor, "clinician-patients")
    doctor.click("text=rosa@example.com")
    doctor.click("text=Printable report")
    # count() does not wait: on a busy machine the patient's page is still the one shown.
    doctor.wait_for_url(re.compile(r"/clinician/patients/\d+/report$"))
    assert doctor.locator("svg.chart rect").count() >= 12
    shot(doctor, "report")
    doctor.emulate_media(media="print")
    assert not doctor.locator(".site-header").is_visible()
    doctor.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    shot(doctor, "report-print")
    doctor.pdf(path=str(Path(SHOTS or "/tmp") / "report-a4.pdf"), format="A4")
    doctor_context.close()

    page.goto("/sharing")
    log = page.locator(".audit-log").inner_text()
    assert "dr.lee@example.com" in log and "Viewed your data" in log
    assert "Viewed the printable report" in log and "Downloaded" not in log
    shot(page, "sharing-log")
    # Revoking asks first, on a page of its own.
    page.click("a:has-text('Revoke')")
    page.click("button:has-text('Yes, revoke access')")
    page.wait_for_selector("text=Nobody else can see your data.")

    page.goto("/account")
    assert page.locator("text=Download everything").is_visible()
    shot(page, "account")
