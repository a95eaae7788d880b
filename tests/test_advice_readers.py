"""Advice worded for its reader: the patient reads "you", their clinician "they"."""

import re
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from crampcare.advice import CATEGORY_ORDER, CATEGORY_TAGS, compute_advice, third_person

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def checkin(n: int, days_ago: int, **values) -> SimpleNamespace:
    fields = {
        "id": n,
        "recorded_at": NOW - timedelta(days=days_ago),
        "cramp_severity": 1,
        "cramp_timing": "after_stretch",
        "pain": None,
        "water_ml": 300,
        "electrolytes": [],
        "sweat": "heavy",
        "exertion": 9,
        "red_flags": [],
    }
    return SimpleNamespace(**(fields | values))


PLAIN = SimpleNamespace(timezone="UTC", takes_diuretics=False, takes_statins=False, conditions=[])
MEDICINES = SimpleNamespace(
    timezone="UTC", takes_diuretics=True, takes_statins=True, conditions=["pregnancy", "kidney"]
)
SCENARIOS = [
    [checkin(1, 0, red_flags=["saddle_numbness"])],
    [checkin(1, 0, red_flags=["fever"])],
    [
        checkin(1, 10, red_flags=["fever", "after_injury"]),
        checkin(2, 8, red_flags=["night_pain"]),
        checkin(3, 1, cramp_severity=3, pain=9),
    ],
    [checkin(n, 2 * n, cramp_timing="night" if n % 2 else "during_stretch") for n in range(1, 8)],
    [checkin(n, n, cramp_severity=0, water_ml=600, exertion=3) for n in range(1, 6)],
    [checkin(1, 1, water_ml=3500)],
    [checkin(1, 1, cramp_severity=0)],
]


def every_item():
    for profile in (PLAIN, MEDICINES):
        for checkins in SCENARIOS:
            yield from compute_advice(checkins, [], profile, NOW)


def test_the_scenarios_reach_every_category():
    assert {item.category for item in every_item()} == set(CATEGORY_ORDER)


def test_a_clinician_never_reads_you_or_your():
    for item in every_item():
        clinician = item.for_reader("clinician")
        for text in (clinician.title, clinician.reason):
            assert not re.search(r"\byou(r|rself)?\b", text, re.IGNORECASE), text
        assert clinician.title.startswith("They should ")
        # Only the words change: the category, evidence and level stay.
        assert (clinician.category, clinician.evidence, clinician.level) == (
            item.category,
            item.evidence,
            item.level,
        )


def test_the_patient_reads_the_rules_own_words():
    for item in every_item():
        assert item.for_reader("patient") == item


def test_sentences_turn_to_the_third_person():
    assert third_person("Drink to thirst around your workouts", title=True) == (
        "They should drink to thirst around their workouts"
    )
    assert third_person(
        "You take a statin: ask your doctor. Do not stop a medicine without them."
    ) == (
        "They take a statin: they should ask their doctor."
        " They should not stop a medicine without them."
    )
    assert third_person("It may be part of what works for you.") == (
        "It may be part of what works for them."
    )
    assert third_person("If it comes back, call your local emergency number.") == (
        "If it comes back, they should call their local emergency number."
    )


def test_an_unknown_reader_is_refused():
    item = next(every_item())
    with pytest.raises(ValueError, match="reader"):
        item.for_reader("nurse")


def test_every_category_has_one_tag_for_both_readers():
    assert set(CATEGORY_TAGS) == set(CATEGORY_ORDER)
    for item in every_item():
        assert item.for_reader("clinician").tag == item.tag == CATEGORY_TAGS[item.category]
