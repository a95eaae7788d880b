"""What axe does not measure: control edges at 3:1, disclosure arrows, the star and paging."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from crampcare.extensions import db
from crampcare.models import User, WorkoutSession
from crampcare.sessions.queries import PAGE_SIZE

from .conftest import PHONE
from .site_pages import demo_site, sign_in

# The contrast of each control's edge against the colour behind the control.
EDGE_CONTRASTS = """() => {
  const rgb = (text) => text.match(/[\\d.]+/g).map(Number);
  const luminance = ([r, g, b]) => {
    const f = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const behind = (el) => {
    for (let up = el.parentElement; up; up = up.parentElement) {
      const colour = getComputedStyle(up).backgroundColor;
      if (rgb(colour)[3] !== 0) return colour;
    }
    return getComputedStyle(document.documentElement).backgroundColor;
  };
  const selector = "input[type=text], input[type=email], input[type=password], "
    + "input[type=number], input[type=datetime-local], select, textarea, .choice";
  return [...document.querySelectorAll(selector)]
    .filter((el) => el.getBoundingClientRect().width > 0)
    .map((el) => {
      const a = luminance(rgb(getComputedStyle(el).borderTopColor));
      const b = luminance(rgb(behind(el)));
      const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
      return [el.name || el.textContent.trim().slice(0, 20), ratio];
    });
}"""


@pytest.fixture
def site(live_app):
    return demo_site(live_app)


def phone(browser, live_server, console_errors, scheme="light"):
    # Reduced motion: no transitions, so a style read right after a click is the final one.
    context = browser.new_context(
        viewport=PHONE,
        base_url=live_server.url,
        has_touch=True,
        color_scheme=scheme,
        reduced_motion="reduce",
    )
    page = context.new_page()
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: console_errors.append(str(error)))
    return context, page


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_control_edges_stand_out_3_to_1(browser, live_server, site, console_errors, scheme):
    context, page = phone(browser, live_server, console_errors, scheme)
    sign_in(page, *site["logins"]["patient"])
    for path in ("/checkins/new", "/account", "/routines"):
        page.goto(path)
        contrasts = page.evaluate(EDGE_CONTRASTS)
        assert contrasts, path
        weak = [(name, round(ratio, 2)) for name, ratio in contrasts if ratio < 3]
        assert not weak, f"{path} ({scheme}): {weak}"
    context.close()


def test_every_disclosure_shows_an_arrow_that_turns(browser, live_server, site, console_errors):
    context, page = phone(browser, live_server, console_errors)
    sign_in(page, *site["logins"]["patient"])
    seen = 0
    for path in ("/checkins/new", "/dashboard", "/routines/gentle-lower-back-release/play"):
        page.goto(path)
        for summary in page.locator("summary").all():
            if not summary.is_visible():
                continue
            arrow = summary.evaluate(
                "el => { const s = getComputedStyle(el, '::before');"
                " return [s.content, s.width, s.transform]; }"
            )
            assert arrow[0] != "none" and float(arrow[1].removesuffix("px")) >= 6, path
            summary.click()
            turned = summary.evaluate("el => getComputedStyle(el, '::before').transform")
            assert turned != arrow[2], f"the arrow of {summary.inner_text()} does not turn"
            seen += 1
    assert seen >= 3


def test_a_star_turns_on_in_place_and_stays_after_a_reload(
    browser, live_server, site, console_errors
):
    context, page = phone(browser, live_server, console_errors)
    sign_in(page, *site["logins"]["patient"])
    page.goto("/routines?minutes=10")
    star = page.get_by_role("button", name="Favourite: Gentle lower back release", exact=True)
    assert star.get_attribute("aria-pressed") == "false"
    page.evaluate("window.notReloaded = true")
    star.click()
    pressed = page.locator(".star-button[aria-pressed=true]")
    pressed.wait_for()
    assert page.evaluate("window.notReloaded"), "htmx swapped the star without a reload"
    assert page.url.endswith("/routines?minutes=10")
    page.reload()
    assert star.get_attribute("aria-pressed") == "true"
    # The whole card is a link: a tap beside the title opens the routine.
    card = page.locator(".routine-card").first
    card.evaluate("el => el.scrollIntoView({block: 'center'})")
    box = card.bounding_box()
    page.mouse.click(box["x"] + 12, box["y"] + box["height"] - 10)
    page.wait_for_url(re.compile(r"/routines/[a-z0-9-]+$"))
    context.close()


def test_load_more_sessions_appends_the_next_page(
    browser, live_server, live_app, site, console_errors
):
    with live_app.app_context():
        patient = db.session.scalar(select(User).where(User.email == site["logins"]["patient"][0]))
        start = datetime(2020, 1, 1, 8, 0, tzinfo=UTC)
        for n in range(PAGE_SIZE):
            db.session.add(
                WorkoutSession(
                    user_id=patient.id,
                    client_id=f"old-{n}",
                    routine_slug="gentle-lower-back-release",
                    started_at=start + timedelta(days=n),
                    ended_at=start + timedelta(days=n, minutes=8),
                    steps_completed=5,
                    steps_total=6,
                )
            )
        db.session.commit()
        db.session.remove()
    context, page = phone(browser, live_server, console_errors)
    sign_in(page, *site["logins"]["patient"])
    page.goto("/sessions")
    rows = page.locator(".session-row")
    assert rows.count() == PAGE_SIZE
    page.get_by_role("link", name="Load more sessions").click()
    rows.nth(PAGE_SIZE).wait_for()
    assert page.url.endswith("/sessions"), "the first page stays; the next is appended"
    ids = page.locator(".session-row").evaluate_all("rows => rows.map((row) => row.id)")
    assert len(ids) == len(set(ids))
    context.close()
