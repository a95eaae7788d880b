"""Caution tags, the conditions they clash with, and the advice that gates a routine."""

from types import SimpleNamespace

import pytest

from crampcare.routine_library import LIBRARY, StepSpec, routine_by_slug
from crampcare.routine_safety import (
    CAUTION_LABELS,
    CAUTION_NOTES,
    CAUTIONS,
    CONFLICTS,
    Conflict,
    relevant_conditions,
    routine_cautions,
    routine_conflicts,
    step_conflicts,
    suits,
    urgent_items,
)


def step(title, *cautions):
    return StepSpec(title=title, instructions="Gently.", hold_seconds=20, cautions=cautions)


HUG = step("Double knee hug", "flexion", "supine")
PRESS = step("Prone press-up", "extension")
BRIDGE = step("Bridge", "strong_contraction", "supine")
TURN = step("Seated rotation")


def test_every_caution_has_a_label_and_a_plain_note():
    assert set(CAUTION_LABELS) == set(CAUTION_NOTES) == set(CAUTIONS)
    assert "osteoporosis" in CAUTION_NOTES["flexion"]
    assert "leg" in CAUTION_NOTES["extension"]
    assert "pregnancy" in CAUTION_NOTES["supine"]
    assert "Keep it easy" in CAUTION_NOTES["strong_contraction"]


def test_conflicts_follow_the_spec_and_our_choice_for_pregnancy():
    assert {
        "osteoporosis": frozenset({"flexion"}),
        "pregnancy": frozenset({"supine", "extension"}),
    } == CONFLICTS


def test_routine_cautions_are_gathered_once_in_a_fixed_order():
    assert routine_cautions([BRIDGE, HUG, TURN]) == ("flexion", "supine", "strong_contraction")
    assert routine_cautions([TURN]) == ()


def test_a_database_row_with_a_json_list_reads_like_a_spec():
    row = SimpleNamespace(title="Knee to chest", cautions=["supine", "flexion"])
    assert step_conflicts(row, ["osteoporosis"]) == ("flexion",)
    assert step_conflicts(SimpleNamespace(title="Old row", cautions=None), ["pregnancy"]) == ()


@pytest.mark.parametrize(
    ("conditions", "expected"),
    [
        ([], []),
        (None, []),
        (["kidney", "thyroid"], []),
        (["osteoporosis"], [Conflict("osteoporosis", "flexion", ("Double knee hug",))]),
        (
            ["pregnancy"],
            [
                Conflict("pregnancy", "extension", ("Prone press-up",)),
                Conflict("pregnancy", "supine", ("Double knee hug", "Bridge")),
            ],
        ),
    ],
)
def test_routine_conflicts_name_the_condition_the_caution_and_the_steps(conditions, expected):
    assert routine_conflicts([HUG, PRESS, BRIDGE, TURN], conditions) == expected
    assert suits([HUG, PRESS, BRIDGE, TURN], conditions) is (expected == [])


def test_a_conflict_reads_as_one_plain_sentence():
    conflict = Conflict("pregnancy", "supine", ("Double knee hug", "Bridge"))
    assert conflict.text == "With pregnancy: lying on your back (Double knee hug, Bridge)."


def test_only_conditions_that_rule_something_out_are_relevant():
    assert relevant_conditions(["nerve", "pregnancy", "osteoporosis"]) == (
        "osteoporosis",
        "pregnancy",
    )


def test_some_library_routines_suit_each_condition():
    for condition in CONFLICTS:
        suiting = [r.slug for r in LIBRARY if suits(r.steps, [condition])]
        assert 3 <= len(suiting) < len(LIBRARY), condition
    assert not suits(routine_by_slug("gentle-lower-back-release").steps, ["osteoporosis"])
    assert suits(routine_by_slug("upper-back-opener").steps, ["osteoporosis", "pregnancy"])


def test_urgent_items_are_the_emergency_and_same_day_ones():
    items = [
        SimpleNamespace(category=name) for name in ("emergency", "urgent", "medical", "hydration")
    ]
    assert [item.category for item in urgent_items(items)] == ["emergency", "urgent"]
    assert urgent_items([SimpleNamespace(category="keep_going")]) == []
