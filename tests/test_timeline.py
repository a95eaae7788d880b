"""Tests for the routine timeline and the seeded routine library."""

import json
import re
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crampcare.routine_library import (
    AREAS,
    DIFFICULTIES,
    LIBRARY,
    SAFETY_NOTE,
    SIDES,
    RoutineSpec,
    StepSpec,
    routine_by_slug,
)
from crampcare.routine_safety import CAUTIONS
from crampcare.timeline import (
    Segment,
    build_timeline,
    format_duration,
    repetition_at,
    total_seconds,
)

TILT = StepSpec(
    title="Pelvic tilt",
    instructions="Flatten the back into the floor.",
    hold_seconds=10,
    reps=2,
    side="none",
    rest_seconds=5,
    cue="Flatten and let go",
)
KNEE = StepSpec(
    title="Knee to chest",
    instructions="Draw one knee in.",
    hold_seconds=20,
    reps=1,
    side="both",
    rest_seconds=0,
)
REACH = StepSpec(
    title="Side reach",
    instructions="Reach over.",
    hold_seconds=15,
    reps=2,
    side="left",
    rest_seconds=4,
)


def shape(segments: list[Segment]) -> list[tuple]:
    return [(s.kind, s.step_index, s.side, s.rep, s.seconds, s.start) for s in segments]


def test_routine_expands_sides_reps_and_rests_in_order():
    segments = build_timeline([TILT, KNEE, REACH])

    assert shape(segments) == [
        ("hold", 0, "none", 1, 10, 0),
        ("rest", 0, "none", 1, 5, 10),
        ("hold", 0, "none", 2, 10, 15),
        ("rest", 0, "none", 2, 5, 25),
        ("hold", 1, "left", 1, 20, 30),
        ("hold", 1, "right", 1, 20, 50),
        ("hold", 2, "left", 1, 15, 70),
        ("rest", 2, "none", 1, 4, 85),
        ("hold", 2, "left", 2, 15, 89),
    ]
    assert [s.index for s in segments] == list(range(9))
    assert total_seconds([TILT, KNEE, REACH]) == 104


def test_no_rest_after_the_last_hold_of_the_routine():
    segments = build_timeline([TILT])

    assert [s.kind for s in segments] == ["hold", "rest", "hold"]
    assert segments[-1].start + segments[-1].seconds == 25
    assert total_seconds([TILT]) == 25


def test_zero_second_rests_are_omitted():
    segments = build_timeline([KNEE, KNEE])

    assert [s.kind for s in segments] == ["hold"] * 4
    assert [s.side for s in segments] == ["left", "right", "left", "right"]
    assert [s.start for s in segments] == [0, 20, 40, 60]


def test_both_sides_alternate_within_each_rep():
    step = StepSpec("Twist", "Turn gently.", hold_seconds=30, reps=2, side="both", rest_seconds=5)
    holds = [s for s in build_timeline([step]) if s.kind == "hold"]

    assert [(s.rep, s.side) for s in holds] == [
        (1, "left"),
        (1, "right"),
        (2, "left"),
        (2, "right"),
    ]
    assert all(s.reps == 2 for s in holds)


def test_segments_carry_titles_and_instructions():
    segments = build_timeline([TILT, REACH])

    assert segments[0].title == "Pelvic tilt"
    assert segments[0].instructions == "Flatten the back into the floor."
    rest = segments[1]
    assert rest.title == "Rest"
    assert rest.instructions != TILT.instructions
    assert rest.instructions.strip()


def test_cues_name_the_side_the_step_and_what_comes_next():
    segments = build_timeline([TILT, KNEE, REACH])

    assert segments[0].cue == "Pelvic tilt. Flatten and let go."
    assert segments[1].cue == "Rest. Next: Pelvic tilt."
    assert segments[2].cue == "Pelvic tilt. Round 2 of 2."
    assert segments[3].cue == "Rest. Next: Knee to chest, left side."
    assert segments[4].cue == "Left side. Knee to chest."
    assert segments[5].cue == "Right side. Knee to chest."
    assert segments[8].cue == "Left side. Side reach. Round 2 of 2."


def test_rows_with_step_attributes_are_accepted():
    # Database rows are not StepSpec; any object with the same attributes must do.
    row = SimpleNamespace(
        title="Sphinx",
        instructions="Up on the forearms.",
        hold_seconds=30,
        reps=1,
        side="right",
        rest_seconds=10,
    )
    segments = build_timeline([row, row])

    assert shape(segments) == [
        ("hold", 0, "right", 1, 30, 0),
        ("rest", 0, "none", 1, 10, 30),
        ("hold", 1, "right", 1, 30, 40),
    ]
    assert segments[0].cue == "Right side. Sphinx."


def test_empty_routine_has_no_segments():
    assert build_timeline([]) == []
    assert total_seconds([]) == 0


def test_to_dict_is_json_ready():
    segment = build_timeline([KNEE])[1]
    data = segment.to_dict()

    assert data == {
        "index": 1,
        "step_index": 0,
        "kind": "hold",
        "title": "Knee to chest",
        "instructions": "Draw one knee in.",
        "side": "right",
        "rep": 1,
        "reps": 1,
        "seconds": 20,
        "start": 20,
        "cue": "Right side. Knee to chest.",
        "repetitions": 0,
        "pace": 0,
    }
    assert json.loads(json.dumps(data)) == data


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("hold_seconds", 0),
        ("hold_seconds", -5),
        ("hold_seconds", None),
        ("reps", 0),
        ("side", "up"),
        ("side", "both-sides"),
        ("rest_seconds", -1),
    ],
)
def test_a_bad_step_row_is_refused(field, value):
    values = {
        "title": "Stretch",
        "instructions": "Gently.",
        "hold_seconds": 20,
        "reps": 1,
        "side": "none",
        "rest_seconds": 5,
        "cue": None,
    }
    values[field] = value

    with pytest.raises(ValueError, match=field):
        build_timeline([SimpleNamespace(**values)])


steps_strategy = st.lists(
    st.builds(
        StepSpec,
        title=st.sampled_from(["Twist", "Tilt", "Reach"]),
        instructions=st.just("Gently."),
        hold_seconds=st.integers(1, 90),
        reps=st.integers(1, 5),
        side=st.sampled_from(SIDES),
        rest_seconds=st.integers(0, 30),
        moving=st.booleans(),
    ),
    min_size=1,
    max_size=8,
)


@given(steps_strategy)
def test_starts_are_cumulative_and_total_matches_the_arithmetic(steps):
    segments = build_timeline(steps)

    # A moving step is one set of reps × hold_seconds per side; a held one, reps holds per side.
    holds_per_step = [(1 if s.moving else s.reps) * (2 if s.side == "both" else 1) for s in steps]
    expected_total = sum(
        n * ((s.hold_seconds * s.reps if s.moving else s.hold_seconds) + s.rest_seconds)
        for n, s in zip(holds_per_step, steps, strict=True)
    )
    expected_total -= steps[-1].rest_seconds
    assert total_seconds(steps) == expected_total

    start = 0
    for segment in segments:
        assert segment.start == start
        assert segment.seconds > 0
        start += segment.seconds
    assert start == expected_total
    assert sum(1 for s in segments if s.kind != "rest") == sum(holds_per_step)
    assert segments[-1].kind != "rest"
    for segment in segments:
        if segment.kind == "move":
            assert segment.seconds == segment.repetitions * segment.pace


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0 s"),
        (45, "45 s"),
        (59, "59 s"),
        (60, "1 min"),
        (61, "1 min 1 s"),
        (270, "4 min 30 s"),
        (420, "7 min"),
        (900, "15 min"),
    ],
)
def test_format_duration(seconds, text):
    assert format_duration(seconds) == text


def test_format_duration_refuses_negative():
    with pytest.raises(ValueError):
        format_duration(-1)


# The seeded library.


def test_library_has_enough_routines_with_unique_kebab_slugs():
    slugs = [routine.slug for routine in LIBRARY]

    assert len(LIBRARY) >= 8
    assert len(set(slugs)) == len(slugs)
    for slug in slugs:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug), slug


def test_library_covers_every_difficulty_and_each_part_of_the_back():
    assert {routine.difficulty for routine in LIBRARY} == set(DIFFICULTIES)
    assert {"lower", "mid", "upper"} <= {routine.area for routine in LIBRARY}
    assert all(routine.area in AREAS for routine in LIBRARY)


@pytest.mark.parametrize("routine", LIBRARY, ids=lambda routine: routine.slug)
def test_library_routine_lasts_4_to_15_minutes(routine):
    assert 4 * 60 <= total_seconds(routine.steps) <= 15 * 60


@pytest.mark.parametrize("routine", LIBRARY, ids=lambda routine: routine.slug)
def test_library_routine_steps_are_valid(routine):
    assert routine.title.strip()
    assert routine.summary.strip()
    for step in routine.steps:
        assert step.title.strip()
        assert step.instructions.strip()
        assert step.side in SIDES
        assert isinstance(step.hold_seconds, int) and step.hold_seconds > 0
        assert isinstance(step.reps, int) and step.reps >= 1
        assert isinstance(step.rest_seconds, int) and step.rest_seconds >= 0
        assert step.cue is None or step.cue.strip()


def test_safety_note_names_the_reasons_to_stop():
    note = SAFETY_NOTE.lower()
    for word in ("sharp", "spreading", "numbness", "tingling"):
        assert word in note


def test_routine_by_slug():
    first = LIBRARY[0]

    assert routine_by_slug(first.slug) is first
    assert routine_by_slug("no-such-routine") is None


@pytest.mark.parametrize(
    "changes",
    [{"side": "up"}, {"hold_seconds": 0}, {"reps": 0}, {"rest_seconds": -1}, {"title": " "}],
)
def test_step_spec_refuses_bad_values(changes):
    values = {"title": "Twist", "instructions": "Turn.", "hold_seconds": 20} | changes

    with pytest.raises(ValueError):
        StepSpec(**values)


@pytest.mark.parametrize(
    "changes",
    [{"slug": "Not Kebab"}, {"difficulty": "extreme"}, {"area": "legs"}, {"steps": ()}],
)
def test_routine_spec_refuses_bad_values(changes):
    values = {
        "slug": "a-routine",
        "title": "A routine",
        "summary": "One step.",
        "difficulty": "gentle",
        "area": "lower",
        "steps": (KNEE,),
    } | changes

    with pytest.raises(ValueError):
        RoutineSpec(**values)


# Moving steps: slow repetitions, not a still hold.

CAT_COW = StepSpec(
    title="Cat-cow",
    instructions="Round up, then dip.",
    hold_seconds=5,
    reps=8,
    rest_seconds=10,
    cue="Round up, dip down",
    moving=True,
)
ROTATION = StepSpec(
    title="Rotation",
    instructions="Elbow down, then up.",
    hold_seconds=4,
    reps=6,
    side="both",
    rest_seconds=5,
    moving=True,
)


def test_a_moving_step_is_one_set_of_slow_repetitions():
    segments = build_timeline([CAT_COW, KNEE])

    assert shape(segments)[:2] == [("move", 0, "none", 1, 40, 0), ("rest", 0, "none", 1, 10, 40)]
    move = segments[0]
    assert (move.repetitions, move.pace, move.reps) == (8, 5, 1)
    assert move.cue == "Cat-cow. Round up, dip down. 8 slow repetitions."
    assert segments[2].start == 50


def test_a_moving_step_on_both_sides_has_a_set_on_each_side():
    segments = build_timeline([ROTATION])

    assert shape(segments) == [
        ("move", 0, "left", 1, 24, 0),
        ("rest", 0, "none", 1, 5, 24),
        ("move", 0, "right", 1, 24, 29),
    ]
    assert all(s.repetitions == 6 and s.pace == 4 for s in segments if s.kind == "move")


def test_held_steps_and_rests_have_no_repetitions():
    segments = build_timeline([TILT, KNEE])

    assert {(s.repetitions, s.pace) for s in segments} == {(0, 0)}


@pytest.mark.parametrize(
    ("offset", "repetition"),
    [(0, 1), (4.999, 1), (5, 2), (14.5, 3), (35, 8), (39.9, 8), (40, 8), (99, 8), (-1, 1)],
)
def test_repetition_at_counts_from_one_and_stops_at_the_last(offset, repetition):
    move = build_timeline([CAT_COW])[0]

    assert repetition_at(move, offset) == repetition


def test_repetition_at_refuses_a_still_hold():
    with pytest.raises(ValueError, match="not a moving step"):
        repetition_at(build_timeline([KNEE])[0], 3)


def test_a_moving_row_from_the_database_is_read_like_a_spec():
    row = SimpleNamespace(
        title="Wall slide",
        instructions="Slide slowly.",
        hold_seconds=5,
        reps=8,
        side="none",
        rest_seconds=0,
        cue=None,
        moving=True,
    )

    assert shape(build_timeline([row])) == [("move", 0, "none", 1, 40, 0)]


# The library's safety: moving steps counted, nothing pushed at the end of its range.

# Words that tell someone to push or swing at the end of a range.
END_RANGE_PUSHING = re.compile(
    r"\b(rock\w*|bounc\w*|puls\w*|swing\w*|jerk\w*|bob\w*|jolt\w*|flick\w*)\b", re.I
)


def _library_texts():
    yield "safety note", SAFETY_NOTE
    for routine in LIBRARY:
        yield routine.slug, routine.summary
        for step in routine.steps:
            yield f"{routine.slug}: {step.title}", " ".join([step.instructions, step.cue or ""])


def test_no_library_text_bounces_or_rocks_at_the_end_of_a_range():
    found = [(where, END_RANGE_PUSHING.findall(text)) for where, text in _library_texts()]

    assert [hit for hit in found if hit[1]] == []


@pytest.mark.parametrize("text", ["A slow rock is fine.", "Bounce gently.", "Pulse at the end."])
def test_the_end_range_scan_catches_pushing_words(text):
    assert END_RANGE_PUSHING.search(text)


MOVING_TITLES = {"Cat-cow", "Pelvic tilt", "Shoulder rolls", "Wall slide", "Open book"}


def test_moving_exercises_are_counted_in_slow_repetitions():
    steps = {step.title: step for routine in LIBRARY for step in routine.steps}

    for title in MOVING_TITLES | {"Hand-behind-head rotation"}:
        step = steps[title]
        assert step.moving, title
        assert 3 <= step.hold_seconds <= 8, f"{title}: a slow pace, seconds per repetition"
        assert step.reps >= 5, title


STEP_CAUTIONS = {
    "Double knee hug": {"flexion", "supine"},
    "Child's pose": {"flexion"},
    "Seated forward lean": {"flexion"},
    "Prone press-up": {"extension"},
    "Sphinx": {"extension"},
    "Bridge": {"strong_contraction", "supine"},
    "Lying Y lift": {"strong_contraction"},
    "Bird dog": {"strong_contraction"},
    "Pelvic tilt": {"supine"},
}


@pytest.mark.parametrize(("title", "cautions"), STEP_CAUTIONS.items())
def test_library_steps_carry_their_cautions(title, cautions):
    steps = [step for routine in LIBRARY for step in routine.steps if step.title == title]

    assert steps, title
    for step in steps:
        assert set(step.cautions) == cautions
        assert set(step.cautions) <= set(CAUTIONS)


def test_the_steps_named_in_the_review_say_how_to_stay_safe():
    steps = {step.title: step for routine in LIBRARY for step in routine.steps}

    assert "stay still" in steps["Double knee hug"].instructions
    assert "spreads into your buttock or down your leg" in steps["Prone press-up"].instructions
    for title in ("Bridge", "Lying Y lift", "Bird dog"):
        assert "Keep it easy" in steps[title].instructions, title
    lean = steps["Seated forward lean"].instructions
    assert "weight on your hands" in lean and "gentler version" in lean
    assert "Seated forward fold" not in steps


def test_safety_note_names_every_reason_to_stop_and_get_help():
    note = SAFETY_NOTE.lower()
    for words in ("sharp", "spreading", "numbness", "chest pain", "breathlessness", "dizziness"):
        assert words in note
    assert "spreading down a leg" in note


def test_step_spec_refuses_an_unknown_caution():
    with pytest.raises(ValueError, match="unknown cautions"):
        StepSpec(title="Twist", instructions="Turn.", hold_seconds=20, cautions=("twist",))
