"""Signing up on a phone: the form, the mail, the link's page, its button, signed in."""

import os
from pathlib import Path

from playwright.sync_api import expect
from sqlalchemy import select

from crampcare.extensions import db, mail
from crampcare.models import User

from ..conftest import PASSWORD, confirmation_link
from .conftest import PHONE

CHECK_EMAIL = "Check your email: we sent a link to finish setting up your account."
CONFIRMED = "Welcome to CrampCare. Your email address is confirmed and you are signed in."


def screenshot(page, folder: Path, name: str) -> Path:
    """What the phone's screen shows, 390×844, kept for a person to look at."""
    path = folder / f"{name}.png"
    page.screenshot(path=str(path))
    assert path.stat().st_size > 0
    return path


def fits_the_phone(page) -> None:
    """Nothing is wider than the screen, and the main button is a thumb's size."""
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    box = page.locator("main .card .button").first.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44


def confirmed_at(live_app, email):
    with live_app.app_context():
        when = db.session.scalar(select(User.email_confirmed_at).where(User.email == email))
        db.session.remove()
        return when


def test_sign_up_finishes_through_the_mailed_link(page, live_app, tmp_path, console_errors):
    folder = Path(os.environ.get("SHOTS_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    email = "newcomer@example.com"
    assert page.viewport_size == PHONE
    with mail.record_messages() as outbox:
        page.goto("/register")
        page.fill("#email", email)
        page.fill("#password", PASSWORD)
        page.check("input[name=role][value=patient]")
        page.get_by_role("button", name="Create account").click()
        page.wait_for_url("**/register/check-email")
    expect(page.get_by_role("status")).to_have_text(CHECK_EMAIL)
    expect(page.get_by_role("heading", name="One more step")).to_be_visible()
    expect(page.get_by_role("link", name="Account")).to_have_count(0)  # nobody signed in
    fits_the_phone(page)
    screenshot(page, folder, "check-email")

    link = confirmation_link(outbox, email)
    assert link, [message.body for message in outbox]
    page.goto(link)
    expect(page.get_by_role("heading", name="Confirm your email")).to_be_visible()
    expect(page.get_by_text(email)).to_be_visible()
    fits_the_phone(page)
    screenshot(page, folder, "confirm-email")
    assert confirmed_at(live_app, email) is None  # opening the link changed nothing

    page.get_by_role("button", name="Confirm and sign in").click()
    page.wait_for_url("**/")
    expect(page.get_by_role("status")).to_have_text(CONFIRMED)
    expect(page.get_by_role("link", name="Account")).to_be_visible()
    assert confirmed_at(live_app, email) is not None

    # Used once, the link says so and how to get another (a 400, which Chromium reports).
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login")
    assert page.goto(link).status == 400
    assert console_errors == [
        "Failed to load resource: the server responded with a status of 400 (BAD REQUEST)"
    ]
    console_errors.clear()
    expect(page.get_by_role("heading", name="This link does not work")).to_be_visible()
    expect(page.get_by_role("link", name="Sign in to get a new link")).to_be_visible()
    fits_the_phone(page)
    screenshot(page, folder, "link-used")
