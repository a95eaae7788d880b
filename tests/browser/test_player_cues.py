"""What the player sounds and says: calm in short holds, 3-2-1 in long ones, a side switch
of its own. The cues are read from the cue module's events and from the browser's own
Web Audio and speech calls, recorded as the page makes them."""

from .player_page import READY_MS, RECORD_CUES, add_routine, cues, gaps_ms, open_player

SHORT_HOLDS = [
    {"title": "Pelvic tilt", "hold_seconds": 5, "reps": 8, "side": "none", "rest_seconds": 3},
    {"title": "Cat and camel", "hold_seconds": 5, "reps": 8, "side": "none", "rest_seconds": 3},
]
LONG_HOLD = [
    {"title": "Child's pose", "hold_seconds": 12, "reps": 1, "side": "none", "rest_seconds": 8},
    {"title": "Knee hug", "hold_seconds": 5, "reps": 1, "side": "none", "rest_seconds": 0},
]
BOTH_SIDES = [
    {
        "title": "Knee to chest",
        "hold_seconds": 6,
        "reps": 2,
        "side": "both",
        "rest_seconds": 3,
        "cue": "Draw the knee in.",
    },
    {"title": "Pelvic tilt", "hold_seconds": 5, "reps": 1, "side": "none", "rest_seconds": 0},
]


def play(page, live_app, slug, steps, *, speech=False):
    """Open the player of a routine made of these steps and press Start."""
    add_routine(live_app, slug, steps)
    page.add_init_script(RECORD_CUES)
    open_player(page, slug)
    if speech:
        page.check("[data-setting=speech]")
    page.click("[data-action=toggle]")
    page.wait_for_function("window.__cues.length === 1")
    return page.evaluate("Date.now()")


def test_the_first_minute_of_short_holds_is_calm(signed_in, live_app):
    page = signed_in
    started = play(page, live_app, "short-holds", SHORT_HOLDS)
    page.clock.run_for(60_000)
    heard = [c for c in cues(page) if c["at"] - started < 60_000]
    tones = [t for t in page.evaluate("window.__tones") if t[0] - started < 60_000]
    # Get ready with its 3-2-1 (10 s is long enough), then one cue as each hold or rest
    # begins: no 3-2-1 inside a 5 s hold or a 3 s rest. Before, this minute gave 59 beeps.
    holds_begin = range(0, 50_000, 8_000)
    changes = sorted(at for hold in holds_begin for at in (hold, hold + 5_000) if at < 50_000)
    assert [c["kind"] for c in heard] == ["ready", "tick", "tick", "tick"] + [
        "step" if i % 2 == 0 else "rest" for i in range(len(changes))
    ]
    assert [c["at"] - started for c in heard[4:]] == [READY_MS + at for at in changes]
    assert len(heard) == 17 and len(tones) == 17
    assert all(c["sounded"] for c in heard)
    assert min(gaps_ms([c["at"] for c in heard])) >= 1_000
    assert min(gaps_ms([at for at, _ in tones])) >= 1_000


def test_a_long_hold_counts_down_three_two_one_a_second_apart(signed_in, live_app):
    page = signed_in
    started = play(page, live_app, "long-hold", LONG_HOLD)
    page.click("[data-action=skip]")  # Get ready skipped: the hold begins now
    page.clock.run_for(25_000)
    heard = [(c["kind"], c["at"] - started) for c in cues(page)]
    # The 12 s hold and the 8 s rest each count down; the 5 s hold does not.
    assert heard == [
        ("ready", 0),
        ("step", 0),
        ("tick", 9_000),
        ("tick", 10_000),
        ("tick", 11_000),
        ("rest", 12_000),
        ("tick", 17_000),
        ("tick", 18_000),
        ("tick", 19_000),
        ("step", 20_000),
        ("finish", 25_000),
    ]
    # Skipping Get ready is a tap: the step's cue answers it at once. Otherwise a second apart.
    assert min(gaps_ms([at for _, at in heard[1:]])) >= 1_000


def test_a_side_switch_has_its_own_sound_and_words(signed_in, live_app):
    page = signed_in
    started = play(page, live_app, "both-sides", BOTH_SIDES, speech=True)
    page.clock.run_for(READY_MS + 30_000)
    heard = [c for c in cues(page) if c["kind"] != "tick"]
    assert [(c["kind"], c["at"] - started) for c in heard] == [
        ("ready", 0),
        ("step", 10_000),  # knee to chest, left side
        ("rest", 16_000),
        ("side", 19_000),  # the same stretch on the right
        ("rest", 25_000),
        ("side", 28_000),  # round 2 begins on the left again
        ("rest", 34_000),
        ("side", 37_000),
    ]
    step, side = heard[1], heard[3]
    assert side["tones"] != step["tones"]
    assert len(side["tones"]) == 2 and len(step["tones"]) == 1
    assert side["words"] == "Switch to the right side."
    assert heard[5]["words"] == "Switch to the left side. Round 2 of 2."
    # What reached the browser's speech, in order: get ready is announced too.
    spoken = page.evaluate("window.__spoken")
    assert spoken[0] == "Get ready. First: Knee to chest, left side. Starting in 10 seconds."
    assert spoken[1] == "Left side. Knee to chest. Draw the knee in."
    assert spoken[2] == "Rest. Next: Knee to chest, right side."
    assert spoken[3] == "Switch to the right side."
    # And the Web Audio calls: the switch's two rising notes, unlike any single beep.
    tones = page.evaluate("window.__tones")
    at_switch = [frequency for at, frequency in tones if at - started == 19_000]
    assert at_switch == side["tones"] and at_switch[0] < at_switch[1]


def test_spoken_cues_stay_quiet_when_off(signed_in, live_app):
    page = signed_in
    play(page, live_app, "both-sides", BOTH_SIDES)
    page.clock.run_for(READY_MS + 20_000)
    assert page.evaluate("window.__spoken") == []
    assert any(c["kind"] == "side" for c in cues(page))
