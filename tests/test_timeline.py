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
from crampcare.timeline import Segment, build_timeline, format_duration, total_seconds

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
    ),
    min_size=1,
    max_size=8,
)


@given(steps_strategy)
def test_starts_are_cumulative_and_total_matches_the_arithmetic(steps):
    segments = build_timeline(steps)

    holds_per_step = [s.reps * (2 if s.side == "both" else 1) for s in steps]
    expected_total = sum(
        n * (s.hold_seconds + s.rest_seconds) for n, s in zip(holds_per_step, steps, strict=True)
    )
    expected_total -= steps[-1].rest_seconds
    assert total_seconds(steps) == expected_total

    start = 0
    for segment in segments:
        assert segment.start == start
        assert segment.seconds > 0
        start += segment.seconds
    assert start == expected_total
    assert sum(1 for s in segments if s.kind == "hold") == sum(holds_per_step)
    assert segments[-1].kind == "hold"


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
