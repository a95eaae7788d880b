"""The moments around the timer: getting ready, pausing, finishing, and the menu giving way."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from sqlalchemy import select

from crampcare.extensions import db
from crampcare.models import WorkoutSession

from .conftest import ready_offline
from .player_page import add_routine, open_player, player_state

SLUG = "two-short-steps"
STEPS = [
    {"title": "Pelvic tilt", "hold_seconds": 6, "reps": 1, "side": "none", "rest_seconds": 4},
    {"title": "Knee hug", "hold_seconds": 6, "reps": 1, "side": "none", "rest_seconds": 0},
]
TOTAL_MS = 16_000
TOLERANCE_MS = 250


@pytest.fixture
def player(signed_in, live_app):
    """The player of a short routine, signed in, its clock fake and paused."""
    add_routine(live_app, SLUG, STEPS)
    open_player(signed_in, SLUG)
    return signed_in


def countdown(page) -> str:
    return page.text_content("[data-field=countdown]")


def test_get_ready_counts_down_to_the_first_step_and_survives_a_reload(player):
    page = player
    page.click("[data-action=toggle]")
    assert player_state(page)["state"] == "ready"
    assert page.text_content("[data-field=position]") == "Get ready"
    assert page.text_content("[data-field=title]") == "Pelvic tilt"
    assert countdown(page) == "0:10"
    page.clock.run_for(3_500)
    assert countdown(page) == "0:07"
    # Getting into position is not part of the routine: its clock has not started.
    assert player_state(page) == {"state": "ready", "elapsed": 0, "index": -1}

    page.reload()
    page.wait_for_selector("#player[data-state=ready]")
    assert countdown(page) == "0:07"
    page.clock.run_for(6_600)
    state = player_state(page)
    assert state["state"] == "running" and state["index"] == 0
    assert state["elapsed"] <= TOLERANCE_MS
    assert countdown(page) == "0:06"
    assert page.text_content("[data-field=position]") == "Step 1 of 2"


def test_get_ready_can_be_skipped(player):
    page = player
    page.click("[data-action=toggle]")
    skip = page.locator("[data-action=skip]")
    assert skip.text_content() == "Start now"
    assert page.locator("[data-action=back]").is_disabled()
    page.clock.run_for(2_000)
    skip.click()
    assert player_state(page) == {"state": "running", "elapsed": 0, "index": 0}
    assert skip.text_content() == "Skip"
    page.clock.run_for(1_000)
    assert abs(player_state(page)["elapsed"] - 1_000) <= TOLERANCE_MS


def test_paused_looks_paused(player):
    page = player
    page.emulate_media(reduced_motion="no-preference")
    page.click("[data-action=toggle]")
    page.click("[data-action=skip]")
    page.clock.run_for(2_000)
    clock = page.locator(".player-clock")
    note = page.locator(".player-paused-note")
    assert note.is_hidden()
    running = clock.screenshot(animations="disabled")
    running_look = page.eval_on_selector(
        "[data-field=countdown]",
        "e => [getComputedStyle(e).color, getComputedStyle(e).backgroundImage]",
    )

    page.click("[data-action=toggle]")
    assert page.get_attribute("#player", "data-state") == "paused"
    # Seen without colour: a "Paused" badge, the button says Resume, the digits are striped.
    assert note.is_visible()
    assert note.inner_text().strip().lower() == "paused"
    assert page.text_content("[data-action=toggle]") == "Resume"
    paused_look = page.eval_on_selector(
        "[data-field=countdown]",
        "e => [getComputedStyle(e).color, getComputedStyle(e).backgroundImage]",
    )
    assert running_look[1] == "none"
    assert "repeating-linear-gradient" in paused_look[1]
    assert paused_look[0] != running_look[0]
    paused = clock.screenshot(animations="disabled")
    assert paused != running
    # The same four seconds are shown: only the look changed.
    assert countdown(page) == "0:04"
    assert note.evaluate("e => getComputedStyle(e).animationName") == "player-breathe"
    page.emulate_media(reduced_motion="reduce")
    assert note.evaluate("e => getComputedStyle(e).animationName") == "none"


def test_the_site_menu_gives_way_while_the_routine_runs(player):
    page = player
    header = page.locator(".site-header")
    way_back = page.locator(".player-routine a")
    assert header.is_visible()
    page.click("[data-action=toggle]")
    for step in ("ready", "running", "paused"):
        if step == "running":
            page.click("[data-action=skip]")
        if step == "paused":
            page.click("[data-action=toggle]")
        assert player_state(page)["state"] == step
        assert header.is_hidden()
        assert page.locator(".site-footer").is_hidden()
        assert way_back.is_visible()
        # The player has the screen: its countdown and controls are all above the fold.
        assert above_the_fold(page, "[data-action=toggle]")
    page.click("[data-action=toggle]")
    page.clock.run_for(TOTAL_MS)
    page.wait_for_selector("#player[data-state=finished]")
    assert header.is_visible()


def above_the_fold(page, selector: str) -> bool:
    """True when the element is shown whole without scrolling."""
    box = page.locator(selector).bounding_box()
    return (
        page.evaluate("window.scrollY") == 0
        and box["y"] >= 0
        and box["y"] + box["height"] <= page.viewport_size["height"]
    )


def finish_with_a_skip(page):
    """Start, skip Get ready and the first hold, let the rest run to the end."""
    page.click("[data-action=toggle]")
    page.click("[data-action=skip]")
    page.clock.run_for(1_000)
    page.click("[data-action=skip]")
    page.clock.run_for(TOTAL_MS)
    page.wait_for_selector("#player[data-state=finished]")


def finish_facts(page) -> dict:
    names = ("done-routine", "done-time", "done-steps", "done-skipped")
    return {name: page.text_content(f"[data-field={name}]") for name in names}


@pytest.mark.parametrize("size", [(390, 844), (320, 568)])
def test_finish_screen_online_names_the_saved_session(player, live_app, size):
    page = player
    page.set_viewport_size({"width": size[0], "height": size[1]})
    finish_with_a_skip(page)
    page.wait_for_selector("#player[data-saved=saved]")
    assert above_the_fold(page, "[data-field=checkin-link]")
    assert page.text_content("[data-field=checkin-link]") == "Log how it went"
    assert page.text_content("[data-field=status]") == "Saved to your log."
    assert finish_facts(page) == {
        "done-routine": "Two short steps",
        "done-time": "0:11",
        "done-steps": "1 of 2",
        "done-skipped": "1",
    }
    assert page.evaluate("document.documentElement.scrollWidth") <= size[0]
    with live_app.app_context():
        session = db.session.scalar(select(WorkoutSession))
        assert (session.steps_completed, session.steps_total) == (1, 2)
        session_id = session.id
        db.session.remove()
    assert page.get_attribute("[data-field=checkin-link]", "href").endswith(
        f"?session={session_id}"
    )
    # A reload keeps the finish screen, and sends nothing twice.
    page.reload()
    page.wait_for_selector("#player[data-state=finished][data-saved=saved]")
    assert finish_facts(page)["done-steps"] == "1 of 2"
    page.click("[data-field=checkin-link]")
    page.wait_for_url(f"**/checkins/new?session={session_id}")
    with live_app.app_context():
        assert len(db.session.scalars(select(WorkoutSession)).all()) == 1
        db.session.remove()


@pytest.mark.goes_offline
@pytest.mark.parametrize("size", [(390, 844), (320, 568)])
def test_finish_screen_offline_waits_then_names_the_synced_session(player, context, live_app, size):
    page = player
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.wait_for_function("window.CrampOutbox !== undefined")
    ready_offline(page)
    page.wait_for_selector("#player[data-state=idle]")
    context.set_offline(True)
    finish_with_a_skip(page)
    page.wait_for_selector("#player[data-saved=waiting]")
    # The same screen as online: what was done, where it is, and the check-in on top.
    assert (
        page.text_content("[data-field=status]")
        == "Saved on this phone. It will sync when you are online."
    )
    assert finish_facts(page)["done-steps"] == "1 of 2"
    assert above_the_fold(page, "[data-field=checkin-link]")
    assert page.locator("[data-field=checkin-link]").is_enabled()
    waiting = page.evaluate("() => CrampOutbox.list()")
    assert [(e["kind"], e["status"]) for e in waiting] == [("session", "pending")]

    context.set_offline(False)
    page.evaluate("() => CrampOutbox.flush()")
    page.wait_for_selector("#player[data-saved=saved]")
    with live_app.app_context():
        session_id = db.session.scalar(select(WorkoutSession.id))
        db.session.remove()
    page.wait_for_function(
        f"document.querySelector('[data-field=checkin-link]').href.endsWith('?session={session_id}')"
    )
    assert page.text_content("[data-field=status]") == "Saved to your log."


def test_play_again_starts_fresh(player):
    page = player
    finish_with_a_skip(page)
    page.click("[data-action=again]")
    assert player_state(page)["state"] == "idle"
    assert page.locator("[data-field=countdown]").is_visible()
    assert page.evaluate(f"localStorage.getItem('crampcare.player.{SLUG}')") is None


def axe_with_time_running(page):
    """axe-core waits on timers: let time flow while it looks, then hold the clock again."""
    page.clock.resume()
    results = Axe().run(page)
    page.clock.pause_at(page.evaluate("Date.now()") / 1000 + 1)
    return results


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_moment_of_the_player_passes_axe(signed_in, live_app, scheme):
    page = signed_in
    # One long hold: axe takes seconds, and the routine must not end while it looks.
    add_routine(live_app, "one-long-hold", [{"title": "Child's pose", "hold_seconds": 600}])
    open_player(page, "one-long-hold")
    page.emulate_media(color_scheme=scheme)
    problems = []
    page.click("[data-action=toggle]")
    for moment in ("ready", "paused", "finished"):
        if moment == "paused":
            page.click("[data-action=toggle]")
        if moment == "finished":
            page.click("[data-action=toggle]")
            page.click("[data-action=skip]")
            page.click("[data-action=skip]")
            page.wait_for_selector("#player[data-saved=saved]")
        assert player_state(page)["state"] in (moment, "running")
        results = axe_with_time_running(page)
        if results.violations_count:
            problems.append(f"{moment}:\n{results.generate_report()}")
    assert not problems, "\n".join(problems)
