"""The session player in Chromium at phone size, its time driven by Playwright's clock."""

from datetime import datetime

import pytest
from sqlalchemy import func, select

from crampcare.extensions import db
from crampcare.models import WorkoutSession
from crampcare.routine_library import routine_by_slug
from crampcare.timeline import build_timeline

from ..records import add_checkin

# Over ten minutes long, so the drift bound is checked over the length the spec names.
SLUG = "after-workout-whole-back"
STEPS = routine_by_slug(SLUG).steps
SEGMENTS = build_timeline(STEPS)
TOTAL_MS = SEGMENTS[-1].end * 1000
START = datetime(2026, 3, 2, 18, 0, 0)
TOLERANCE_MS = 250


def segment_at(ms: int) -> int:
    """The segment the player should show at this many ms into the routine."""
    return next(s.index for s in reversed(SEGMENTS) if ms >= s.start * 1000)


def player_state(page) -> dict:
    """What the player computed, as it exposes it on its root element."""
    return page.evaluate(
        """() => {
            const d = document.getElementById('player').dataset;
            return {state: d.state, elapsed: Number(d.elapsedMs), index: Number(d.segmentIndex)};
        }"""
    )


def open_player(page):
    """Open the player with a fake clock that moves only when the test moves it."""
    page.clock.install(time=START)
    page.goto(f"/routines/{SLUG}/play")
    page.clock.pause_at(datetime(2026, 3, 2, 18, 1, 0))
    page.wait_for_selector("#player[data-state=idle]")


def session_rows(live_app) -> int:
    with live_app.app_context():
        count = db.session.scalar(select(func.count(WorkoutSession.id)))
        db.session.remove()
    return count


def test_a_whole_routine_keeps_time_and_is_recorded_once(signed_in, live_app):
    page = signed_in
    posts = []
    page.on(
        "request",
        lambda r: posts.append(r.url) if r.method == "POST" and "/api/sessions" in r.url else None,
    )
    open_player(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.click("[data-action=toggle]")
    assert player_state(page)["state"] == "running"

    near_end = TOTAL_MS - 10_300
    page.clock.fast_forward(near_end)
    state = player_state(page)
    assert abs(state["elapsed"] - near_end) <= TOLERANCE_MS
    assert state["index"] == segment_at(near_end)

    page.click("[data-action=toggle]")
    held = player_state(page)
    assert held["state"] == "paused"
    page.clock.fast_forward(120_000)
    assert player_state(page)["elapsed"] == held["elapsed"]

    page.click("[data-action=toggle]")
    page.clock.fast_forward(11_000)
    page.wait_for_url("**/checkins/new?session=*")
    assert "How did it go" in page.text_content("h1")
    assert len(posts) == 1
    assert session_rows(live_app) == 1
    with live_app.app_context():
        session = db.session.scalar(select(WorkoutSession))
        assert session.routine_slug == SLUG
        assert session.steps_completed == session.steps_total == len(STEPS)
        duration = (session.ended_at - session.started_at).total_seconds() * 1000
        # The routine ran its length plus the two minutes it was paused.
        assert abs(duration - (TOTAL_MS + 120_000)) <= TOLERANCE_MS
        db.session.remove()
    assert page.evaluate(f"localStorage.getItem('crampcare.player.{SLUG}')") is None


def test_a_reload_resumes_at_the_right_step_and_second(signed_in):
    page = signed_in
    open_player(page)
    page.click("[data-action=toggle]")
    page.clock.fast_forward(97_400)
    page.reload()
    page.wait_for_selector("#player[data-state=running]")
    state = player_state(page)
    assert abs(state["elapsed"] - 97_400) <= TOLERANCE_MS
    assert state["index"] == segment_at(97_400)
    page.clock.fast_forward(1_000)
    assert abs(player_state(page)["elapsed"] - 98_400) <= TOLERANCE_MS


def test_keyboard_pauses_skips_and_goes_back(signed_in):
    page = signed_in
    open_player(page)
    page.keyboard.press(" ")
    assert player_state(page)["state"] == "running"
    # With a control focused, Space still pauses and does not also press that control.
    page.focus("[data-action=skip]")
    page.keyboard.press(" ")
    assert player_state(page) == {"state": "paused", "elapsed": 0, "index": 0}
    page.keyboard.press(" ")
    page.keyboard.press("ArrowRight")
    assert player_state(page)["index"] == 1
    page.keyboard.press("ArrowRight")
    assert player_state(page)["index"] == 2
    page.keyboard.press("ArrowLeft")
    assert player_state(page)["index"] == 1
    page.keyboard.press(" ")
    assert player_state(page)["state"] == "paused"
    page.keyboard.press(" ")
    assert player_state(page)["state"] == "running"


@pytest.mark.parametrize("path", [f"/routines/{SLUG}", "/routines"])
def test_routine_pages_fit_a_phone(signed_in, path):
    page = signed_in
    page.goto(path)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_signed_out_the_session_stays_on_the_phone(context):
    page = context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    open_player(page)
    page.click("[data-action=toggle]")
    page.clock.fast_forward(TOTAL_MS + 1_000)
    page.wait_for_selector("#player[data-state=pending]")
    assert "Saved on this phone" in page.text_content("[data-field=status]")
    # Kept in the outbox, waiting for a sign-in, and the check-in is still offered.
    pending = page.evaluate("() => CrampOutbox.list()")
    assert [(e["kind"], e["status"], e["body"]["routine_slug"]) for e in pending] == [
        ("session", "needs_login", SLUG)
    ]
    assert pending[0]["body"]["steps_completed"] == len(STEPS)
    assert page.is_visible("[data-field=checkin-link]")
    # The only error is the refused request itself (401): nothing broke in the page.
    assert all("401" in error for error in errors), errors


RECORD_BEEPS = """
window.__beeps = [];
const create = AudioContext.prototype.createOscillator;
AudioContext.prototype.createOscillator = function () {
  const tone = create.call(this);
  const start = tone.start.bind(tone);
  tone.start = (at) => { window.__beeps.push([Date.now(), tone.frequency.value]); start(at); };
  return tone;
};
"""


def test_beeps_at_three_two_one_and_at_each_transition(signed_in):
    page = signed_in
    page.add_init_script(RECORD_BEEPS)
    open_player(page)
    page.click("[data-action=toggle]")
    page.wait_for_function("window.__beeps.length === 1")
    page.clock.run_for(SEGMENTS[1].start * 1000 + 100)
    beeps = page.evaluate("window.__beeps")
    started = beeps[0][0]
    # Start (a set of slow repetitions), 3-2-1 before its end, then the rest begins.
    assert SEGMENTS[0].kind == "move" and SEGMENTS[1].kind == "rest"
    assert [frequency for _, frequency in beeps] == [880, 660, 660, 660, 520]
    offsets = [at - started for at, _ in beeps]
    end = SEGMENTS[0].seconds * 1000
    for offset, expected in zip(
        offsets[1:], (end - 3000, end - 2000, end - 1000, end), strict=True
    ):
        assert expected <= offset <= expected + TOLERANCE_MS


def test_spoken_cues_setting_is_remembered(signed_in):
    page = signed_in
    open_player(page)
    page.check("[data-setting=speech]")
    page.reload()
    assert page.is_checked("[data-setting=speech]")


def countdown(page) -> tuple[str, str]:
    """What the big number shows, and whether it counts time or repetitions."""
    element = page.locator("[data-field=countdown]")
    return element.text_content(), element.get_attribute("data-kind")


def test_a_moving_step_counts_its_slow_repetitions(signed_in):
    page = signed_in
    slug = "gentle-lower-back-release"
    tilt, rest = build_timeline(routine_by_slug(slug).steps)[:2]
    assert (tilt.kind, tilt.repetitions, tilt.pace) == ("move", 8, 5)
    page.clock.install(time=START)
    page.goto(f"/routines/{slug}/play")
    page.clock.pause_at(datetime(2026, 3, 2, 18, 1, 0))
    page.wait_for_selector("#player[data-state=idle]")
    assert countdown(page) == ("1 of 8", "move")

    page.click("[data-action=toggle]")
    page.clock.fast_forward(10_200)
    assert countdown(page) == ("3 of 8", "move")
    assert page.get_attribute("[data-field=countdown]", "aria-label") == "Repetition"
    page.clock.fast_forward(29_500)
    assert countdown(page) == ("8 of 8", "move")
    # The rest after the set counts down its seconds again.
    page.clock.fast_forward(1_000)
    assert player_state(page)["index"] == rest.index
    assert countdown(page) == ("0:10", "hold")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_with_urgent_advice_the_player_waits_for_a_ticked_confirmation(signed_in, live_app):
    page = signed_in
    add_checkin(live_app, "walker@example.com", red_flags=["fever"])
    page.clock.install(time=START)
    page.goto(f"/routines/{SLUG}/play")
    assert page.is_visible(".urgent-banner")
    assert page.locator("#player").count() == 0

    # Pressing without ticking: the browser refuses the required box; nothing starts.
    page.click(".urgent-confirm button")
    assert page.locator("#player").count() == 0
    page.check("input[name=understood]")
    page.click(".urgent-confirm button")
    page.wait_for_selector("#player[data-state=idle]")
    assert page.is_visible(".urgent-banner")
    page.click("[data-action=toggle]")
    assert player_state(page)["state"] == "running"
