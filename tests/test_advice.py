"""Tests for the advice rules (SPEC §6): each rule at its threshold and one step below."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from crampcare.advice import (
    CATEGORY_ORDER,
    AdviceConfig,
    AdviceItem,
    compute_advice,
    red_flag_tier,
)
from crampcare.local_time import window_start

NOW = datetime(2025, 3, 28, 12, 0, tzinfo=UTC)
LOS_ANGELES = ZoneInfo("America/Los_Angeles")
AUCKLAND = ZoneInfo("Pacific/Auckland")


def checkin(
    id: int,
    days_ago: int = 0,
    *,
    severity: int = 0,
    timing: str | None = None,
    water: int | None = None,
    electrolytes: tuple[str, ...] = (),
    sweat: str | None = None,
    exertion: int | None = None,
    red_flags: tuple[str, ...] = (),
    pain: int | None = None,
    at: datetime | None = None,
) -> SimpleNamespace:
    """A check-in `days_ago` days before NOW (or at an exact time)."""
    if severity and timing is None:
        timing = "after_stretch"
    return SimpleNamespace(
        id=id,
        recorded_at=at if at is not None else NOW - timedelta(days=days_ago),
        cramp_severity=severity,
        cramp_timing=timing,
        pain=pain,
        water_ml=water,
        electrolytes=list(electrolytes),
        sweat=sweat,
        exertion=exertion,
        red_flags=list(red_flags),
    )


def cramp(id: int, days_ago: int = 0, *, severity: int = 1, **fields) -> SimpleNamespace:
    """A check-in with a cramp (mild unless told)."""
    return checkin(id, days_ago, severity=severity, **fields)


def calm(*ids: int, days_ago: int = 0, **fields) -> list[SimpleNamespace]:
    """Check-ins without a cramp."""
    return [checkin(i, days_ago, **fields) for i in ids]


def sessions(count: int, within_days: int = 28) -> list[SimpleNamespace]:
    """`count` sessions spread over the last `within_days` days."""
    return [
        SimpleNamespace(id=900 + i, started_at=NOW - timedelta(days=i % within_days, hours=1))
        for i in range(count)
    ]


def profile(
    timezone: str | None = "UTC",
    takes_diuretics: bool = False,
    conditions: tuple[str, ...] = (),
    takes_statins: bool = False,
) -> SimpleNamespace:
    """A patient profile."""
    return SimpleNamespace(
        timezone=timezone,
        takes_diuretics=takes_diuretics,
        takes_statins=takes_statins,
        conditions=list(conditions),
    )


def categories(items: list[AdviceItem]) -> list[str]:
    """The categories of the items, in order."""
    return [i.category for i in items]


def advise(checkins, session_list=(), who=None, now=NOW, config=None) -> list[AdviceItem]:
    """Run the rules with UTC and default thresholds unless told otherwise."""
    return compute_advice(
        checkins, session_list, who or profile(), now, config if config else AdviceConfig()
    )


def item(items: list[AdviceItem], category: str) -> AdviceItem:
    """The one item of a category, failing when it is missing."""
    found = [i for i in items if i.category == category]
    assert len(found) == 1, [i.category for i in items]
    return found[0]


DIURETICS = profile(takes_diuretics=True)

STATINS = profile(takes_statins=True)
OSTEOPOROSIS = profile(conditions=("osteoporosis",))

RULE_CASES = [
    # emergency: an emergency-tier flag is active on its day and the 2 after (D..D+2)
    *[
        pytest.param(
            [checkin(1, 2, red_flags=(flag,))], [], None, "emergency", True, id=f"{flag}-day-2"
        )
        for flag in ("saddle_numbness", "bladder_bowel", "both_legs", "chest_pain", "dark_urine")
    ],
    pytest.param(
        [checkin(1, 3, red_flags=("chest_pain",))],
        [],
        None,
        "emergency",
        False,
        id="emergency-day-3",
    ),
    pytest.param([checkin(1, 0)], [], None, "emergency", False, id="emergency-no-flag"),
    # urgent: a same-day flag, active the same 3 local days
    *[
        pytest.param(
            [checkin(1, 2, red_flags=(flag,))], [], None, "urgent", True, id=f"{flag}-day-2"
        )
        for flag in ("fever", "after_injury", "leg_weakness", "long_cramp", "leg_swelling")
    ],
    pytest.param(
        [checkin(1, 3, red_flags=("fever",))], [], None, "urgent", False, id="urgent-day-3"
    ),
    pytest.param(
        [checkin(1, 3, red_flags=("fever",))], [], None, "medical", True, id="past-flag-day-3"
    ),
    pytest.param(
        [checkin(1, 27, red_flags=("long_cramp",))],
        [],
        None,
        "medical",
        True,
        id="past-flag-day-27",
    ),
    pytest.param(
        [checkin(1, 28, red_flags=("long_cramp",))],
        [],
        None,
        "medical",
        False,
        id="past-flag-day-28",
    ),
    # after_injury with osteoporosis is emergency-tier
    pytest.param(
        [checkin(1, 1, red_flags=("after_injury",))],
        [],
        OSTEOPOROSIS,
        "emergency",
        True,
        id="injury-osteoporosis",
    ),
    pytest.param(
        [checkin(1, 1, red_flags=("after_injury",))],
        [],
        None,
        "emergency",
        False,
        id="injury-no-osteoporosis",
    ),
    # see-soon flags: a medical finding, never urgent
    *[
        pytest.param(
            [checkin(1, 0, red_flags=(flag,))], [], None, "medical", True, id=f"{flag}-medical"
        )
        for flag in ("night_pain", "weight_loss")
    ],
    pytest.param(
        [checkin(1, 0, red_flags=("night_pain",))],
        [],
        None,
        "urgent",
        False,
        id="night-pain-urgent",
    ),
    # medical: cramps at rest or at night
    pytest.param(
        [cramp(1, 1, timing="at_rest"), cramp(2, 2, timing="night")],
        [],
        None,
        "medical",
        True,
        id="medical-2-rest",
    ),
    pytest.param(
        [cramp(1, 1, timing="at_rest"), cramp(2, 2)],
        [],
        None,
        "medical",
        False,
        id="medical-1-rest",
    ),
    # medical: cramps in 3 of the last 4 weeks (days 6, 13, 27 fall in weeks 0, 1, 3)
    pytest.param(
        [cramp(1, 6), cramp(2, 13), cramp(3, 27)], [], None, "medical", True, id="medical-3-weeks"
    ),
    pytest.param(
        [cramp(1, 0), cramp(2, 6), cramp(3, 13)], [], None, "medical", False, id="medical-2-weeks"
    ),
    # medical: severe cramps
    pytest.param(
        [cramp(1, 1, severity=3), cramp(2, 2, severity=3)],
        [],
        None,
        "medical",
        True,
        id="medical-2-severe",
    ),
    pytest.param(
        [cramp(1, 1, severity=3), cramp(2, 2, severity=2)],
        [],
        None,
        "medical",
        False,
        id="medical-1-severe",
    ),
    # medical: cramps in the last 14 days despite water (median >= 500) and >= 4 sessions
    pytest.param(
        [cramp(1, 1, water=500), cramp(2, 13, water=450), checkin(3, 3, water=600)],
        sessions(4, within_days=14),
        None,
        "medical",
        True,
        id="nonresponse-at-threshold",
    ),
    pytest.param(
        [cramp(1, 1, water=499), cramp(2, 13, water=450), checkin(3, 3, water=600)],
        sessions(4, within_days=14),
        None,
        "medical",
        False,
        id="nonresponse-median-499",
    ),
    pytest.param(
        [cramp(1, 1, water=500), cramp(2, 13, water=450), checkin(3, 3, water=600)],
        sessions(3, within_days=14),
        None,
        "medical",
        False,
        id="nonresponse-3-sessions",
    ),
    pytest.param(
        [cramp(1, 1, water=500), cramp(2, 14, water=450), checkin(3, 3, water=600)],
        sessions(4, within_days=14),
        None,
        "medical",
        False,
        id="nonresponse-second-cramp-day-14",
    ),
    # medical: any cramp with diuretics or a condition on the profile
    pytest.param([cramp(1, 1)], [], DIURETICS, "medical", True, id="medical-diuretics-1-cramp"),
    pytest.param(
        [cramp(1, 1)],
        [],
        profile(conditions=("thyroid",)),
        "medical",
        True,
        id="medical-condition-1-cramp",
    ),
    pytest.param(calm(1, 2, 3), [], DIURETICS, "medical", False, id="medical-diuretics-no-cramp"),
    pytest.param([cramp(1, 1)], [], STATINS, "medical", True, id="medical-statins-1-cramp"),
    pytest.param(calm(1, 2, 3), [], STATINS, "medical", False, id="medical-statins-no-cramp"),
    *[
        pytest.param(
            [cramp(1, 1)], [], profile(conditions=(c,)), "medical", True, id=f"medical-{c}"
        )
        for c in ("kidney", "diabetes", "nerve", "hormone", "pregnancy")
    ],
    pytest.param(
        [cramp(1, 1)], [], OSTEOPOROSIS, "medical", False, id="medical-not-osteoporosis-alone"
    ),
    # medical: frequent cramps, 4 in the last 14 days whatever the water
    pytest.param(
        [cramp(1, 0, water=900), cramp(2, 4, water=900), cramp(3, 8, water=900)]
        + [cramp(4, 13, water=900)],
        sessions(2),
        None,
        "medical",
        True,
        id="medical-frequent-4",
    ),
    pytest.param(
        [cramp(1, 0), cramp(2, 1), cramp(3, 2), cramp(4, 14)],
        sessions(2),
        None,
        "medical",
        False,
        id="medical-frequent-3-in-14-days",
    ),
    # medical: pain 7 or more in 2 check-ins, or 9 or more in 1
    pytest.param(calm(1, 2, pain=7), [], None, "medical", True, id="medical-pain-7-twice"),
    pytest.param(
        calm(1, pain=7) + calm(2, pain=6), [], None, "medical", False, id="medical-pain-7-once"
    ),
    pytest.param(calm(1, pain=9), [], None, "medical", True, id="medical-pain-9-once"),
    pytest.param(calm(1, pain=8), [], None, "medical", False, id="medical-pain-8-once"),
    # hydration: low-water cramp rate at least twice the other (1/1 against 1/2 is exactly 2x)
    pytest.param(
        [cramp(1, water=300), cramp(2, water=300), cramp(3, water=600), checkin(4, water=600)],
        sessions(8),
        None,
        "hydration",
        True,
        id="hydration-rate-2x",
    ),
    pytest.param(
        [cramp(1, water=300), cramp(2, water=300), cramp(3, water=600), cramp(4, water=600)]
        + calm(5, water=600),
        sessions(8),
        None,
        "hydration",
        False,
        id="hydration-rate-1.5x",
    ),
    pytest.param(
        [cramp(1, water=499), cramp(2, water=0)],
        [],
        None,
        "hydration",
        True,
        id="hydration-every-cramp-499",
    ),
    pytest.param(
        [cramp(1, water=500), cramp(2, water=500), checkin(3, water=300)],
        [],
        None,
        "hydration",
        False,
        id="hydration-every-cramp-500",
    ),
    pytest.param(
        [cramp(1, water=300), cramp(2)], [], None, "hydration", False, id="hydration-1-logged-cramp"
    ),
    pytest.param(
        [cramp(1, water=499), cramp(2, water=0)],
        [],
        DIURETICS,
        "hydration",
        False,
        id="hydration-not-with-diuretics",
    ),
    pytest.param(
        [cramp(1, water=499), cramp(2, water=0)],
        [],
        profile(conditions=("kidney",)),
        "hydration",
        False,
        id="hydration-not-with-kidney",
    ),
    pytest.param(
        [cramp(1, water=499), cramp(2, water=0), checkin(3, water=3000)],
        [],
        None,
        "hydration",
        False,
        id="hydration-not-with-overhydration",
    ),
    # electrolytes: cramps after heavy sweat without electrolytes, or a cramp with diuretics
    pytest.param(
        [cramp(1, sweat="heavy"), cramp(2, sweat="heavy")],
        sessions(8),
        None,
        "electrolytes",
        True,
        id="electrolytes-2-heavy",
    ),
    pytest.param(
        [cramp(1, sweat="heavy"), cramp(2, sweat="moderate")],
        sessions(8),
        None,
        "electrolytes",
        False,
        id="electrolytes-1-heavy",
    ),
    pytest.param(
        [cramp(1, sweat="heavy"), cramp(2, sweat="heavy", electrolytes=("sodium",))],
        sessions(8),
        None,
        "electrolytes",
        False,
        id="electrolytes-1-heavy-without-salts",
    ),
    pytest.param(
        [cramp(1, sweat="heavy"), cramp(2, sweat="heavy")],
        sessions(8),
        DIURETICS,
        "electrolytes",
        False,
        id="electrolytes-not-with-diuretics",
    ),
    pytest.param(
        [cramp(1, sweat="heavy"), cramp(2, sweat="heavy")],
        sessions(8),
        profile(conditions=("kidney",)),
        "electrolytes",
        False,
        id="electrolytes-not-with-kidney",
    ),
    # overhydration: any check-in with 3000 ml or more
    pytest.param(calm(1, 2, water=3000), [], None, "overhydration", True, id="overhydration-3000"),
    pytest.param(calm(1, 2, water=2999), [], None, "overhydration", False, id="overhydration-2999"),
    # conditioning: fewer than 2 sessions a week, or most cramps at exertion >= 8
    pytest.param(
        [cramp(1), cramp(2)], sessions(7), None, "conditioning", True, id="conditioning-1.75-a-week"
    ),
    pytest.param(
        [cramp(1), cramp(2)], sessions(8), None, "conditioning", False, id="conditioning-2-a-week"
    ),
    pytest.param([cramp(1)], [], None, "conditioning", False, id="conditioning-1-cramp"),
    pytest.param(
        [cramp(1, exertion=8), cramp(2, exertion=8), cramp(3, exertion=3)],
        sessions(8),
        None,
        "conditioning",
        True,
        id="conditioning-2-of-3-hard",
    ),
    pytest.param(
        [cramp(1, exertion=8), cramp(2, exertion=3)],
        sessions(8),
        None,
        "conditioning",
        False,
        id="conditioning-half-hard",
    ),
    pytest.param(
        [cramp(1, exertion=7), cramp(2, exertion=7)],
        sessions(8),
        None,
        "conditioning",
        False,
        id="conditioning-exertion-7",
    ),
    # keep_going and need_more_data
    pytest.param(calm(1, 2, 3, 4), [], None, "keep_going", True, id="keep-going-4"),
    pytest.param(calm(1, 2, 3), [], None, "keep_going", False, id="keep-going-3"),
    pytest.param(
        calm(1, 2, 3) + calm(4, pain=6), [], None, "keep_going", True, id="keep-going-pain-6"
    ),
    pytest.param(
        calm(1, 2, 3, 4, pain=7), [], None, "keep_going", False, id="keep-going-not-with-pain-7"
    ),
    pytest.param(
        [checkin(1, 0, red_flags=("fever",)), *calm(2)],
        [],
        None,
        "need_more_data",
        False,
        id="need-more-data-not-with-urgent",
    ),
    pytest.param(calm(1, 2), [], None, "need_more_data", True, id="need-more-data-2"),
    pytest.param(calm(1, 2, 3), [], None, "need_more_data", False, id="need-more-data-3"),
]


@pytest.mark.parametrize(("checkins", "session_list", "who", "category", "expected"), RULE_CASES)
def test_rule_thresholds(checkins, session_list, who, category, expected):
    categories = [i.category for i in advise(checkins, session_list, who)]
    assert (category in categories) is expected, categories


REASON_CASES = [
    pytest.param(
        [cramp(1, water=300), cramp(2, water=200), cramp(3, water=400), cramp(4, water=700)]
        + calm(5, 6, 7, 8, 9, water=800),
        sessions(8),
        None,
        "hydration",
        [
            "3 of your 4 cramps came when you drank under 500 ml",
            "3 of 3 check-ins under 500 ml had a cramp, against 1 of 6 at 500 ml or more",
        ],
        id="hydration",
    ),
    pytest.param(
        [cramp(1), cramp(2), cramp(3)],
        sessions(6),
        None,
        "conditioning",
        ["3 cramps", "1.5 sessions a week over the last 28 days, fewer than 2"],
        id="conditioning-sessions",
    ),
    pytest.param(
        [cramp(1, exertion=9), cramp(2, exertion=8), cramp(3, exertion=2)],
        sessions(10),
        None,
        "conditioning",
        ["2 of your 3 cramps came after workouts you rated 8 or harder"],
        id="conditioning-exertion",
    ),
    pytest.param(
        [cramp(1, 1, water=500), cramp(2, 2, water=600), checkin(3, 3)],
        sessions(5, within_days=14),
        None,
        "medical",
        ["2 cramps in the last 14 days", "median water was 550 ml", "2.5 sessions a week"],
        id="medical-nonresponse",
    ),
    pytest.param(
        [cramp(1, timing="night"), cramp(2, timing="at_rest"), cramp(3)],
        [],
        None,
        "medical",
        ["2 of your 3 cramps came at rest or at night."],
        id="medical-rest",
    ),
    pytest.param(
        [cramp(1, 0), cramp(2, 7), cramp(3, 14), cramp(4, 21)],
        sessions(8),
        None,
        "medical",
        ["You had cramps in 4 of the last 4 weeks."],
        id="medical-weeks",
    ),
    pytest.param(
        [cramp(1, severity=3), cramp(2, severity=3), cramp(3, severity=2)],
        [],
        None,
        "medical",
        ["2 of your 3 cramps were severe."],
        id="medical-severe",
    ),
    pytest.param(
        [cramp(1)],
        [],
        profile(takes_diuretics=True, conditions=("diabetes", "thyroid")),
        "medical",
        [
            "You take a diuretic (water tablet) and logged 1 cramp",
            "Your profile lists a thyroid condition and diabetes",
            "ask your doctor how much to drink",
        ],
        id="medical-medication",
    ),
    pytest.param(
        [cramp(1, sweat="heavy"), cramp(2, sweat="heavy"), cramp(3, sweat="light")],
        sessions(8),
        None,
        "electrolytes",
        ["2 of your 3 cramps came after heavy sweating with no electrolytes logged."],
        id="electrolytes-sweat",
    ),
    pytest.param(
        calm(1, 2, 3, 4, 5),
        [],
        None,
        "keep_going",
        ["5 check-ins in the last 28 days without a cramp"],
        id="keep-going",
    ),
    pytest.param(
        calm(1, 2),
        [],
        None,
        "need_more_data",
        ["You logged 2 check-ins in the last 28 days", "at least 3"],
        id="need-more-data",
    ),
    pytest.param(
        [checkin(1, 2, red_flags=("bladder_bowel", "saddle_numbness"))],
        [],
        None,
        "emergency",
        [
            "On 26 March you logged numbness between the legs or around the buttocks"
            " and new trouble with your bladder or bowel.",
            "cauda equina syndrome",
            "call your local emergency number or go to an emergency department now",
        ],
        id="emergency",
    ),
    pytest.param(
        [checkin(1, 1, red_flags=("fever",))],
        [],
        None,
        "urgent",
        [
            "On 27 March you logged a fever with back pain.",
            "get a same-day appointment with a doctor or go to an urgent care service today",
        ],
        id="urgent",
    ),
    pytest.param(
        [checkin(1, 24, red_flags=("saddle_numbness",))],
        [],
        None,
        "medical",
        [
            "On 4 March you logged numbness between the legs or around the buttocks. If it is"
            " still there or has come back, call your local emergency number or go to an"
            " emergency department now; if a doctor has not checked it yet, see one soon."
        ],
        id="past-emergency-flag",
    ),
    pytest.param(
        [checkin(1, 3, red_flags=("long_cramp",))],
        [],
        None,
        "medical",
        [
            "On 25 March you logged a cramp that lasted over 10 minutes and did not ease. If it"
            " is still there or has come back, get a same-day appointment with a doctor or go to"
            " an urgent care service now; if a doctor has not checked it yet, see one soon."
        ],
        id="past-same-day-flag",
    ),
    pytest.param(
        [checkin(1, 0, red_flags=("night_pain",))],
        [],
        None,
        "medical",
        [
            "On 28 March you logged back pain at night that rest does not ease.",
            "see a doctor within the next few days",
        ],
        id="see-soon-flag",
    ),
    pytest.param(
        [cramp(i, i) for i in range(1, 7)],
        sessions(8),
        None,
        "medical",
        ["You had 6 cramps in the last 14 days"],
        id="medical-frequent",
    ),
    pytest.param(
        calm(1, 2, pain=7) + calm(3, pain=8),
        [],
        None,
        "medical",
        ["You rated your pain 7 or more out of 10 in 3 check-ins (the highest 8)."],
        id="medical-pain",
    ),
    pytest.param(
        [cramp(1)],
        [],
        STATINS,
        "medical",
        [
            "You take a statin and logged 1 cramp",
            "Do not stop or change a medicine without them.",
            "muscle pain, tenderness or weakness you cannot explain means calling your doctor"
            " today",
        ],
        id="medical-statin",
    ),
    pytest.param(
        [cramp(1)],
        [],
        profile(conditions=("pregnancy",)),
        "medical",
        [
            "Your profile lists pregnancy",
            "come and go in waves, or come with bleeding, leaking fluid or fewer baby movements,"
            " mean calling your midwife or maternity unit now",
        ],
        id="medical-pregnancy",
    ),
    pytest.param(
        [checkin(1, 5, water=3500), *calm(2, 3, water=600)],
        [],
        None,
        "overhydration",
        ["On 23 March you logged 3500 ml of water.", "hyponatraemia", "Drink to thirst."],
        id="overhydration",
    ),
    pytest.param(
        [cramp(1, timing="during_stretch"), cramp(2, timing="during_stretch"), cramp(3)],
        [],
        None,
        "conditioning",
        ["2 of your 3 cramps came during a stretch: ease off"],
        id="conditioning-during-stretch",
    ),
]


@pytest.mark.parametrize(("checkins", "session_list", "who", "category", "phrases"), REASON_CASES)
def test_reason_uses_the_users_numbers(checkins, session_list, who, category, phrases):
    reason = item(advise(checkins, session_list, who), category).reason
    for phrase in phrases:
        assert phrase in reason


def everything_at_once() -> list[AdviceItem]:
    """A window where every rule holds but the red flags, keep_going and need_more_data."""
    checkins = [
        cramp(1, 0, timing="night", water=200, sweat="heavy", exertion=9),
        cramp(2, 8, timing="at_rest", water=300, sweat="heavy", exertion=9),
        cramp(3, 15, severity=3, water=250, exertion=9),
        checkin(4, 16, water=900),
        checkin(5, 17, water=900),
    ]
    return advise(checkins, sessions(2))


def test_several_items_in_order():
    assert categories(everything_at_once()) == [
        "medical",
        "hydration",
        "electrolytes",
        "conditioning",
    ]


def test_full_order_without_red_flags():
    checkins = [
        checkin(1, 20, red_flags=("fever",)),
        checkin(2, 1, water=3200),
        cramp(3, 0, sweat="heavy", exertion=9),
        cramp(4, 1, sweat="heavy", exertion=9),
    ]
    assert categories(advise(checkins)) == [
        "medical",
        "overhydration",
        "electrolytes",
        "conditioning",
    ]


def test_order_constant_matches_the_spec():
    assert CATEGORY_ORDER == (
        "emergency",
        "urgent",
        "medical",
        "overhydration",
        "hydration",
        "electrolytes",
        "conditioning",
        "keep_going",
        "need_more_data",
    )


def test_emergency_and_urgent_both_hold_and_nothing_else():
    checkins = [
        checkin(1, 0, red_flags=("chest_pain",), water=100),
        checkin(2, 1, red_flags=("fever",)),
        cramp(3, 0, timing="night", severity=3, pain=10, water=3500),
    ]
    items = advise(checkins)
    assert categories(items) == ["emergency", "urgent"]
    assert items[0].evidence == (1,)
    assert items[1].evidence == (2,)


def test_levels_and_sections_follow_the_category():
    shape = {i.category: (i.level, i.section) for i in everything_at_once()}
    assert shape == {
        "medical": ("warning", "see-a-doctor"),
        "hydration": ("tip", "hydration"),
        "electrolytes": ("tip", "electrolytes"),
        "conditioning": ("tip", "conditioning"),
    }
    pressing = advise([checkin(1, red_flags=("dark_urine", "leg_swelling"))])
    assert [(i.category, i.level, i.section) for i in pressing] == [
        ("emergency", "emergency", "red-flags"),
        ("urgent", "urgent", "red-flags"),
    ]
    assert all(i.is_pressing for i in pressing)


@pytest.mark.parametrize("banned", ["likely", "the cause", "only cause", "the more the better"])
def test_tips_speak_of_possible_factors(banned):
    for tip in everything_at_once():
        assert banned not in tip.reason.lower()
        if tip.level == "tip":
            assert "possible factor" in tip.reason


def test_hydration_tip_says_drink_to_thirst_at_a_rate():
    reason = item(everything_at_once(), "hydration").reason
    assert "Drink to thirst before, during and after a workout" in reason
    assert "0.4 to 0.8 l an hour" in reason
    assert "more is not better" in reason


def test_evidence_lists_the_supporting_checkins():
    items = {i.category: i for i in everything_at_once()}
    assert items["hydration"].evidence == (1, 2, 3)
    assert items["electrolytes"].evidence == (1, 2)
    assert items["conditioning"].evidence == (1, 2, 3)


def test_medical_lists_every_trigger_and_the_union_of_evidence():
    checkins = [
        cramp(1, 0, timing="night"),
        cramp(2, 1, timing="at_rest"),
        cramp(3, 9, severity=3),
        cramp(4, 16, severity=3),
        checkin(5, 2, pain=9),
        checkin(6, 20, red_flags=("leg_weakness",)),
    ]
    medical = item(advise(checkins, who=STATINS), "medical")
    for sentence in (
        "On 8 March you logged weakness in one leg.",
        "2 of your 4 cramps came at rest or at night.",
        "You had cramps in 3 of the last 4 weeks.",
        "2 of your 4 cramps were severe.",
        "You rated your pain 9 out of 10 in 1 check-in.",
        "You take a statin and logged 4 cramps",
    ):
        assert sentence in medical.reason
    assert medical.evidence == (1, 2, 3, 4, 5, 6)
    assert medical.title == "See a doctor soon"


def test_keep_going_yields_to_any_other_item():
    items = advise(calm(1, 2, 3) + calm(4, days_ago=20, red_flags=("after_injury",)))
    assert categories(items) == ["medical"]


def test_to_dict_has_the_api_shape():
    urgent = advise([checkin(3, 1, red_flags=("fever",))])[0]
    assert urgent.to_dict() == {
        "category": "urgent",
        "level": "urgent",
        "title": "See a doctor today",
        "reason": urgent.reason,
        "evidence": [3],
        "section": "red-flags",
    }


@pytest.mark.parametrize(
    ("flag", "conditions", "tier"),
    [
        ("saddle_numbness", (), "emergency"),
        ("dark_urine", (), "emergency"),
        ("after_injury", (), "same_day"),
        ("after_injury", ("osteoporosis",), "emergency"),
        ("leg_swelling", ("osteoporosis",), "same_day"),
        ("night_pain", (), "see_soon"),
        ("weight_loss", (), "see_soon"),
        ("something_new", (), "same_day"),
    ],
)
def test_red_flag_tiers(flag, conditions, tier):
    assert red_flag_tier(flag, conditions) == tier


def test_a_flag_is_active_through_day_d_plus_2_whatever_the_hour():
    # Logged at 00:01 local on 26 March; 23:59 on 28 March is still day D+2.
    zone = LOS_ANGELES
    logged = datetime(2025, 3, 26, 0, 1, tzinfo=zone)
    flagged = [checkin(1, at=logged, red_flags=("fever",))]
    who = profile(str(zone))
    assert categories(advise(flagged, who=who, now=datetime(2025, 3, 28, 23, 59, tzinfo=zone))) == [
        "urgent"
    ]
    later = advise(flagged, who=who, now=datetime(2025, 3, 29, 0, 1, tzinfo=zone))
    assert categories(later)[0] == "medical"


# Each finding of the clinical review, reproduced on the engine and fixed.


def test_review_1_urgent_never_comes_with_self_care_tips():
    checkins = [
        cramp(1, 0, water=100, red_flags=("saddle_numbness", "bladder_bowel")),
        cramp(2, 1, water=100),
        cramp(3, 2, water=200),
    ]
    items = advise(checkins)
    assert categories(items) == ["emergency"]
    assert "emergency department" in items[0].reason
    assert "call your doctor" not in items[0].reason.lower()


def test_review_1_fever_is_same_day_not_emergency():
    items = advise([checkin(1, 0, red_flags=("fever",))])
    assert categories(items) == ["urgent"]
    assert "emergency department" not in items[0].reason


def test_review_2_a_flag_from_a_fast_clock_counts_as_today():
    fast = checkin(1, at=NOW + timedelta(minutes=40), red_flags=("bladder_bowel",))
    items = advise([fast])
    assert categories(items) == ["emergency"]
    assert items[0].evidence == (1,)


def test_review_2_a_day_ahead_still_counts_but_beyond_it_does_not():
    at_limit = checkin(1, at=NOW + timedelta(days=1), red_flags=("fever",))
    assert categories(advise([at_limit])) == ["urgent"]
    beyond = checkin(2, at=NOW + timedelta(days=1, seconds=1), red_flags=("fever",))
    assert categories(advise([beyond])) == ["need_more_data"]


def test_review_2_a_session_from_a_fast_clock_counts_too():
    ahead = [SimpleNamespace(id=1, started_at=NOW + timedelta(hours=2)) for _ in range(8)]
    assert "conditioning" not in categories(advise([cramp(1), cramp(2)], ahead))


@pytest.mark.parametrize(
    ("flag", "words"),
    [
        ("both_legs", "numbness, tingling or weakness in both legs"),
        ("chest_pain", "chest pain or breathlessness"),
        ("dark_urine", "brown or cola-coloured pee"),
        ("leg_swelling", "a swollen, red or warm leg"),
        ("night_pain", "back pain at night that rest does not ease"),
        ("weight_loss", "weight loss without trying"),
    ],
)
def test_review_3_new_red_flags_are_read(flag, words):
    reason = advise([checkin(1, 0, red_flags=(flag,))])[0].reason
    assert f"On 28 March you logged {words}." in reason


def test_review_4_no_drink_more_or_salts_with_kidney_or_diuretics():
    checkins = [cramp(i, i, water=200, sweat="heavy") for i in (1, 2, 3)]
    for who in (DIURETICS, profile(conditions=("kidney",))):
        items = advise(checkins, sessions(8), who)
        assert "hydration" not in categories(items)
        assert "electrolytes" not in categories(items)
        assert "ask your doctor how much to drink" in item(items, "medical").reason


def test_review_4_a_lot_of_water_is_warned_about():
    items = advise([cramp(1, water=3500), cramp(2, water=4000), checkin(3, water=200)])
    over = item(items, "overhydration")
    assert "You logged 3000 ml of water or more in 2 check-ins (the most 4000 ml)." in over.reason
    assert "emergency number" in over.reason
    assert "hydration" not in categories(items)


def test_review_5_pain_is_read():
    rest = advise([cramp(1, timing="at_rest", severity=3, pain=10)])
    assert "You rated your pain 10 out of 10" in item(rest, "medical").reason
    painful = advise(calm(1, 2, 3, 4, pain=9))
    assert "keep_going" not in categories(painful)
    assert "medical" in categories(painful)


def test_review_6_frequent_cramps_without_water_logged():
    items = advise([cramp(i, i) for i in range(6)], sessions(8))
    assert "You had 6 cramps in the last 14 days" in item(items, "medical").reason


def test_review_7_statins_and_pregnancy_are_named():
    statin = item(advise([cramp(1)], who=STATINS), "medical").reason
    assert "statin" in statin
    pregnant = item(advise([cramp(1)], who=profile(conditions=("pregnancy",))), "medical").reason
    assert "pregnancy" in pregnant
    assert "hormon" not in pregnant


def test_review_8_an_old_fever_is_not_urgent_now():
    items = advise([checkin(1, 27, red_flags=("fever",))] + calm(2, 3, 4))
    assert categories(items) == ["medical"]
    assert "On 1 March you logged a fever with back pain." in items[0].reason
    assert "urgent care now" not in items[0].reason.replace("urgent care service now", "")


def test_review_9_two_cramps_are_not_called_a_likely_factor():
    items = advise([cramp(1, water=100), cramp(2, water=200)])
    assert "likely" not in item(items, "hydration").reason
    assert "possible factor" in item(items, "hydration").reason


def test_review_10_cramps_in_a_stretch_call_for_easing_off():
    items = advise([cramp(1, timing="during_stretch"), cramp(2, timing="during_stretch")])
    conditioning = item(items, "conditioning")
    assert conditioning.title == "Ease off in the stretches"
    assert "shorter holds, a smaller range and slower moves" in conditioning.reason
    assert "Stretch more regularly" not in conditioning.title


def test_conditioning_titles():
    few = advise([cramp(1), cramp(2)], sessions(4))
    assert item(few, "conditioning").title == "Stretch more regularly"
    hard = advise([cramp(1, exertion=8), cramp(2, exertion=9)], sessions(8))
    assert item(hard, "conditioning").title == "Build up gradually"


def test_numbers_are_digits():
    for advice_item in everything_at_once():
        for word in ("one ", "two ", "three ", "four "):
            assert f" {word}of your" not in advice_item.reason.lower()


TIMEZONE_CASES = [
    # Los Angeles on 28 March 2025 (PDT); the window starts on 1 March (PST, UTC-8).
    pytest.param(LOS_ANGELES, datetime(2025, 3, 1, 23, 30), True, id="la-first-day-23:30"),
    pytest.param(LOS_ANGELES, datetime(2025, 3, 1, 0, 0), True, id="la-first-day-midnight"),
    pytest.param(LOS_ANGELES, datetime(2025, 2, 28, 23, 30), False, id="la-day-before-23:30"),
    # Auckland on 28 March 2025 (NZDT, UTC+13): the UTC date lags the local one.
    pytest.param(AUCKLAND, datetime(2025, 3, 1, 23, 30), True, id="auckland-first-day-23:30"),
    pytest.param(AUCKLAND, datetime(2025, 3, 1, 0, 30), True, id="auckland-first-day-00:30"),
    pytest.param(AUCKLAND, datetime(2025, 2, 28, 23, 30), False, id="auckland-day-before-23:30"),
]


@pytest.mark.parametrize(("zone", "local_time", "counted"), TIMEZONE_CASES)
def test_window_follows_local_calendar_days(zone, local_time, counted):
    now = datetime(2025, 3, 28, 10, 0, tzinfo=zone)
    # Stored times come back in UTC: the rules must convert them to the patient's day.
    at = local_time.replace(tzinfo=zone).astimezone(UTC)
    flagged = checkin(1, at=at, red_flags=("fever",))
    items = advise([flagged], who=profile(str(zone)), now=now)
    assert ("medical" in categories(items)) is counted
    if counted:
        assert "On 1 March you logged a fever" in items[0].reason


def test_local_today_decides_when_utc_is_already_tomorrow():
    # 05:00 UTC on 28 March is still 27 March in Los Angeles, so 28 February is in the window.
    now = datetime(2025, 3, 28, 5, 0, tzinfo=UTC)
    at = datetime(2025, 2, 28, 23, 30, tzinfo=LOS_ANGELES)
    items = advise(
        [checkin(1, at=at, red_flags=("fever",))], who=profile(str(LOS_ANGELES)), now=now
    )
    assert items[0].category == "medical"
    assert "On 28 February you logged" in items[0].reason


def test_only_the_last_four_weeks_count_in_a_longer_window():
    # With a 35-day window, days 28-34 form a fifth week that the 3-of-4 rule ignores.
    config = AdviceConfig(window_days=35)
    checkins = [cramp(1, 0), cramp(2, 7), cramp(3, 30)]
    assert "medical" not in [i.category for i in advise(checkins, sessions(10), config=config)]
    checkins.append(cramp(4, 27))
    medical = item(advise(checkins, sessions(10), config=config), "medical")
    assert "You had cramps in 3 of the last 4 weeks." in medical.reason
    assert medical.evidence == (1, 2, 4)


def test_weeks_are_local_across_a_dst_change():
    # Friday 21 March 23:30 in Los Angeles is already 22 March in UTC: still week 1 locally.
    now = datetime(2025, 3, 28, 10, 0, tzinfo=LOS_ANGELES)
    times = [datetime(2025, 3, 28, 8), datetime(2025, 3, 21, 23, 30), datetime(2025, 3, 7, 23, 30)]
    checkins = [cramp(i, at=t.replace(tzinfo=LOS_ANGELES)) for i, t in enumerate(times, 1)]
    medical = item(advise(checkins, who=profile(str(LOS_ANGELES)), now=now), "medical")
    assert "You had cramps in 3 of the last 4 weeks." in medical.reason


@pytest.mark.parametrize("bad_zone", ["Mars/Olympus", None, "../../etc/passwd"])
@pytest.mark.parametrize(
    ("at", "counted"),
    [
        (datetime(2025, 3, 1, 0, 30, tzinfo=UTC), True),
        (datetime(2025, 2, 28, 23, 30, tzinfo=UTC), False),
    ],
    ids=["utc-first-day", "utc-day-before"],
)
def test_unknown_timezone_falls_back_to_utc(bad_zone, at, counted):
    items = advise([checkin(1, at=at, red_flags=("fever",))], who=profile(bad_zone))
    assert ("medical" in categories(items)) is counted


@pytest.mark.parametrize(
    ("now", "zone", "days", "expected"),
    [
        pytest.param(
            datetime(2025, 3, 28, 10, tzinfo=LOS_ANGELES),
            "America/Los_Angeles",
            28,
            datetime(2025, 3, 1, 8, tzinfo=UTC),
            id="la",
        ),
        pytest.param(
            datetime(2025, 3, 28, 10, tzinfo=AUCKLAND),
            "Pacific/Auckland",
            28,
            datetime(2025, 2, 28, 11, tzinfo=UTC),
            id="auckland",
        ),
        pytest.param(
            datetime(2025, 3, 28, 10, tzinfo=LOS_ANGELES),
            "America/Los_Angeles",
            1,
            datetime(2025, 3, 28, 7, tzinfo=UTC),
            id="la-today-only",
        ),
        pytest.param(NOW, "Mars/Olympus", 28, datetime(2025, 3, 1, tzinfo=UTC), id="unknown"),
    ],
)
def test_window_start_is_local_midnight_in_utc(now, zone, days, expected):
    start = window_start(now, zone, days)
    assert start == expected
    assert start.utcoffset() == timedelta(0)


def test_naive_stored_times_are_read_as_utc():
    naive = datetime(2025, 3, 27, 0, 30)
    items = advise([checkin(1, at=naive, red_flags=("fever",))])
    assert items[0].category == "urgent"
    assert "On 27 March" in items[0].reason


def test_naive_now_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        advise(calm(1), now=datetime(2025, 3, 28, 12))


def test_checkins_past_the_clock_tolerance_are_left_out():
    # Up to a day ahead counts as today (see the review 2 tests); beyond it is not plausible.
    too_far = checkin(1, at=NOW + timedelta(days=2), red_flags=("fever",))
    assert categories(advise([too_far])) == ["need_more_data"]


def test_from_mapping_reads_advice_keys_and_keeps_defaults():
    config = AdviceConfig.from_mapping(
        {"ADVICE_WINDOW_DAYS": 7, "ADVICE_HEAVY_SWEAT_CRAMPS": "3", "SECRET_KEY": "x"}
    )
    assert config.window_days == 7
    assert config.heavy_sweat_cramps == 3
    assert config.water_threshold_ml == 500
    assert AdviceConfig.from_mapping({}) == AdviceConfig()


@pytest.mark.parametrize(
    ("mapping", "checkins", "category", "default_has", "override_has"),
    [
        pytest.param(
            {"ADVICE_WINDOW_DAYS": 7},
            [checkin(1, 7, red_flags=("fever",))],
            "medical",
            True,
            False,
            id="window-days",
        ),
        pytest.param(
            {"ADVICE_WATER_THRESHOLD_ML": "600"},
            [cramp(1, water=550), cramp(2, water=550), checkin(3, water=700)],
            "hydration",
            False,
            True,
            id="water-threshold",
        ),
        pytest.param(
            {"ADVICE_HEAVY_SWEAT_CRAMPS": 3},
            [cramp(1, sweat="heavy"), cramp(2, sweat="heavy")],
            "electrolytes",
            True,
            False,
            id="heavy-sweat-cramps",
        ),
        pytest.param(
            {"ADVICE_OVERHYDRATION_ML": 4000},
            calm(1, water=3000),
            "overhydration",
            True,
            False,
            id="overhydration-ml",
        ),
        pytest.param(
            {"ADVICE_FREQUENT_CRAMPS_FOR_MEDICAL": 5},
            [cramp(1, 0), cramp(2, 1), cramp(3, 2), cramp(4, 3)],
            "medical",
            True,
            False,
            id="frequent-cramps",
        ),
        pytest.param(
            {"ADVICE_VERY_HIGH_PAIN": 10},
            calm(1, pain=9),
            "medical",
            True,
            False,
            id="very-high-pain",
        ),
        pytest.param(
            {"ADVICE_RED_FLAG_ACTIVE_DAYS": 4},
            [checkin(1, 3, red_flags=("fever",))],
            "urgent",
            False,
            True,
            id="red-flag-active-days",
        ),
        pytest.param(
            {"ADVICE_FUTURE_TOLERANCE_DAYS": 0},
            [checkin(1, at=NOW + timedelta(hours=1), red_flags=("fever",))],
            "urgent",
            True,
            False,
            id="future-tolerance",
        ),
        pytest.param(
            {"ADVICE_MIN_CHECKINS": 2},
            calm(1, 2),
            "need_more_data",
            True,
            False,
            id="min-checkins",
        ),
    ],
)
def test_config_overrides_change_thresholds(mapping, checkins, category, default_has, override_has):
    config = AdviceConfig.from_mapping(mapping)
    assert (category in [i.category for i in advise(checkins)]) is default_has
    assert (category in [i.category for i in advise(checkins, config=config)]) is override_has


@pytest.mark.parametrize(
    "mapping",
    [{"ADVICE_WINDOW_DAYS": "lots"}, {"ADVICE_WINDOW_DAYS": 0}, {"ADVICE_MIN_CHECKINS": True}],
    ids=["not-a-number", "empty-window", "boolean"],
)
def test_from_mapping_refuses_bad_values(mapping):
    with pytest.raises(ValueError):
        AdviceConfig.from_mapping(mapping)
