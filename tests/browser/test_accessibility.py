"""axe-core finds no violation on any page, for every visitor, in light and in dark.

The pages come from the app's URL map (site_pages.py), so a new page is checked without
being listed here.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe
from sqlalchemy import select

from crampcare.extensions import db
from crampcare.models import User

from ..records import add_checkin
from .conftest import PHONE
from .site_pages import LONG_EMAIL, demo_site, html_pages, sign_in


@pytest.fixture
def site(live_app):
    return demo_site(live_app)


def violations(page, path: str) -> str:
    """axe's report on the page at `path` as it is shown now, or "" when it is clean.

    The pages are drawn by the server (no panel loads itself after the page), so the
    page is ready to check once it has loaded.
    """
    page.goto(path, wait_until="load")
    return axe_report(page, path)


AXE = Axe()
# The same page again (switched to the other scheme, not reloaded) still holds axe: run it
# without sending its 570 KB script a second time.
AXE_IN_PAGE = Axe(axe_script="undefined")


def axe_report(page, label: str, axe: Axe = AXE) -> str:
    results = axe.run(page)
    return "" if results.violations_count == 0 else f"{label}:\n{results.generate_report()}"


def in_both_schemes(page, path: str) -> list[str]:
    """axe on one page in the light scheme, then on the same page switched to dark."""
    problems = []
    page.goto(path, wait_until="load")
    for scheme, axe in zip(SCHEMES, (AXE, AXE_IN_PAGE), strict=True):
        page.emulate_media(color_scheme=scheme)
        assert page.evaluate(f"matchMedia('(prefers-color-scheme: {scheme})').matches")
        problems.append(axe_report(page, f"{path} ({scheme})", axe))
    return problems


SCHEMES = ("light", "dark")


@pytest.mark.parametrize("who", ["signed out", "patient", "clinician"])
def test_every_page_passes_axe_in_light_and_dark(browser, live_server, site, console_errors, who):
    context = browser.new_context(viewport=PHONE, base_url=live_server.url, has_touch=True)
    page = context.new_page()
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    if who != "signed out":
        sign_in(page, *site["logins"][who])
    pages = html_pages(page, site["urls"])
    assert len(pages) >= 8
    problems = [problem for path in pages for problem in in_both_schemes(page, path)]
    context.close()
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


def test_the_patient_list_naming_who_needs_seeing_now(browser, live_server, live_app, site):
    add_checkin(live_app, LONG_EMAIL, red_flags=["saddle_numbness"])
    context = browser.new_context(viewport=PHONE, base_url=live_server.url, has_touch=True)
    page = context.new_page()
    sign_in(page, *site["logins"]["clinician"])
    problems = in_both_schemes(page, "/clinician/patients")
    attention = page.locator(".attention")
    assert "Emergency" in attention.inner_text()
    context.close()
    assert not any(problems), "\n".join(filter(None, problems))
