"""axe-core finds no violation on any page, signed out and signed in, at 390×844."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from sqlalchemy import select

from crampcare.extensions import db
from crampcare.models import User
from crampcare.seed import make_demo

from ..records import add_checkin

SIGNED_OUT = [
    "/",
    "/login",
    "/register",
    "/routines",
    "/routines/gentle-lower-back-release",
    "/routines/gentle-lower-back-release/play",
    "/learn",
    "/offline",
]
PATIENT = [
    "/",
    "/dashboard",
    "/checkins/new",
    "/cramps/new",
    "/checkins",
    "/advice",
    "/routines",
    "/routines/new",
    "/sharing",
    "/account",
    "/export/me/report",
]
CLINICIAN = ["/clinician/patients", "/account"]


def violations(page, path: str) -> str:
    page.goto(path)
    page.wait_for_load_state("networkidle")
    results = Axe().run(page)
    return "" if results.violations_count == 0 else f"{path}:\n{results.generate_report()}"


def sign_in(page, email: str, password: str) -> None:
    page.goto("/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url("**/")


@pytest.fixture
def demo_logins(live_app):
    with live_app.app_context():
        logins = make_demo(60)
        db.session.remove()
    return logins


def test_signed_out_pages(page):
    problems = [violations(page, path) for path in SIGNED_OUT]
    assert not any(problems), "\n".join(filter(None, problems))


def test_patient_pages(page, demo_logins):
    sign_in(page, *demo_logins["patient"])
    problems = [violations(page, path) for path in PATIENT]
    assert not any(problems), "\n".join(filter(None, problems))


def test_clinician_pages(page, demo_logins, live_app):
    sign_in(page, *demo_logins["clinician"])
    page.goto("/clinician/patients")
    patient_page = page.get_attribute("a[href^='/clinician/patients/']", "href")
    problems = [violations(page, path) for path in [*CLINICIAN, patient_page]]
    assert not any(problems), "\n".join(filter(None, problems))


def test_routine_pages_with_conflicts_and_urgent_advice(signed_in, live_app):
    page = signed_in
    with live_app.app_context():
        user = db.session.scalar(select(User).where(User.email == "walker@example.com"))
        user.conditions = ["osteoporosis", "pregnancy"]
        db.session.commit()
        db.session.remove()
    add_checkin(live_app, "walker@example.com", red_flags=["fever"])
    slug = "gentle-lower-back-release"
    paths = [
        "/routines",
        "/routines?suits=me",
        f"/routines/{slug}",
        f"/routines/{slug}/play",
        f"/routines/{slug}/play?confirming=1",
        f"/routines/{slug}/play?confirming=1&understood=yes",
    ]
    problems = [violations(page, path) for path in paths]
    page.goto("/routines/new")
    page.fill("#title", "Mine")
    page.click("main button[type=submit]")
    page.wait_for_url("**/edit")
    problems.append(violations(page, page.url))
    assert not any(problems), "\n".join(filter(None, problems))
