"""The vocabulary: every stored value has the words each reader needs."""

import pytest

from crampcare import vocabulary
from crampcare.formatting import water
from crampcare.logbook.rules import ml_to_fluid_ounces
from crampcare.routine_library import LIBRARY


@pytest.mark.parametrize(
    "values",
    [
        vocabulary.TIMINGS,
        vocabulary.LOCATIONS,
        vocabulary.ELECTROLYTES,
        vocabulary.SWEAT,
        vocabulary.RED_FLAGS,
    ],
    ids=["timings", "locations", "electrolytes", "sweat", "red_flags"],
)
def test_every_checkin_value_has_a_display_for_record_systems(values):
    assert set(values) <= set(vocabulary.RECORD_DISPLAYS)


def test_advice_can_name_every_red_flag_and_condition():
    assert set(vocabulary.RED_FLAG_PHRASES) == set(vocabulary.RED_FLAGS)
    assert set(vocabulary.CONDITION_PHRASES) == set(vocabulary.CONDITIONS)


def test_the_cramp_form_offers_a_subset_of_the_checkin_form():
    assert vocabulary.CRAMP_SEVERITIES.items() <= vocabulary.SEVERITIES.items()
    assert vocabulary.CRAMP_ONLY_TIMINGS.items() <= vocabulary.TIMINGS.items()
    assert set(vocabulary.TIMINGS) >= vocabulary.REST_TIMINGS


def test_the_seeded_routines_use_only_the_vocabulary():
    assert {routine.area for routine in LIBRARY} <= set(vocabulary.ROUTINE_AREAS)
    assert {routine.difficulty for routine in LIBRARY} <= set(vocabulary.DIFFICULTIES)


def test_water_reads_in_the_units_chosen():
    assert water(500, "floz") == "17 fl oz"
    assert water(500, "ml") == "500 ml"
    assert ml_to_fluid_ounces(500) == 16.9
