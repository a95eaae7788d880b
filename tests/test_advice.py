"""Tests for the advice rules (SPEC §6): each rule at its threshold and one step below."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from crampcare.advice import AdviceConfig, AdviceItem, compute_advice
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
    timezone: str | None = "UTC", takes_diuretics: bool = False, conditions: tuple[str, ...] = ()
) -> SimpleNamespace:
    """A patient profile."""
    return SimpleNamespace(
        timezone=timezone, takes_diuretics=takes_diuretics, conditions=list(conditions)
    )


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

RULE_CASES = [
    # urgent: any red flag in the 28 local days ending today
    pytest.param([checkin(1, 3, red_flags=("fever",))], [], None, "urgent", True, id="urgent-flag"),
    pytest.param([checkin(1, 3)], [], None, "urgent", False, id="urgent-no-flag"),
    pytest.param(
        [checkin(1, 27, red_flags=("long_cramp",))], [], None, "urgent", True, id="urgent-day-27"
    ),
    pytest.param(
        [checkin(1, 28, red_flags=("long_cramp",))], [], None, "urgent", False, id="urgent-day-28"
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
    pytest.param([cramp(1)], [], DIURETICS, "electrolytes", True, id="electrolytes-diuretics"),
    pytest.param(
        calm(1, 2, 3), [], DIURETICS, "electrolytes", False, id="electrolytes-diuretics-no-cramp"
    ),
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
            "You take diuretics, your profile lists diabetes and a thyroid condition,"
            " and you logged 1 cramp"
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
        [checkin(1, 3, red_flags=("bladder_bowel", "saddle_numbness"))],
        [],
        None,
        "urgent",
        [
            "On 25 March 2025 you logged numbness between the legs or around the buttocks"
            " and new trouble controlling your bladder or bowel."
        ],
        id="urgent",
    ),
]


@pytest.mark.parametrize(("checkins", "session_list", "who", "category", "phrases"), REASON_CASES)
def test_reason_uses_the_users_numbers(checkins, session_list, who, category, phrases):
    reason = item(advise(checkins, session_list, who), category).reason
    for phrase in phrases:
        assert phrase in reason


def everything_at_once() -> list[AdviceItem]:
    """A window where every rule but keep_going and need_more_data holds."""
    checkins = [
        cramp(1, 0, timing="night", water=200, sweat="heavy", exertion=9),
        cramp(2, 8, timing="at_rest", water=300, sweat="heavy", exertion=9),
        cramp(3, 15, severity=3, water=250, exertion=9),
        checkin(4, 16, water=900, red_flags=("leg_weakness",)),
        checkin(5, 17, water=900),
    ]
    return advise(checkins, sessions(2))


def test_several_items_in_order_with_urgent_first():
    categories = [i.category for i in everything_at_once()]
    assert categories == ["urgent", "medical", "hydration", "electrolytes", "conditioning"]


def test_urgent_stays_above_need_more_data():
    items = advise([checkin(7, 1, red_flags=("fever",))])
    assert [i.category for i in items] == ["urgent", "need_more_data"]
    assert items[0].title == "Seek urgent care now"
    assert items[0].evidence == (7,)


def test_levels_and_sections_follow_the_category():
    shape = {i.category: (i.level, i.section) for i in everything_at_once()}
    assert shape == {
        "urgent": ("urgent", "red-flags"),
        "medical": ("warning", "see-a-doctor"),
        "hydration": ("tip", "hydration"),
        "electrolytes": ("tip", "electrolytes"),
        "conditioning": ("tip", "conditioning"),
    }


def test_tips_never_claim_a_single_cause():
    for tip in everything_at_once():
        if tip.level == "tip":
            assert "may help" in tip.reason
            assert "only cause" not in tip.reason
            assert "the cause" not in tip.reason


def test_evidence_lists_the_supporting_checkins():
    items = {i.category: i for i in everything_at_once()}
    assert items["urgent"].evidence == (4,)
    assert items["hydration"].evidence == (1, 2, 3)
    assert items["electrolytes"].evidence == (1, 2)
    assert items["conditioning"].evidence == (1, 2, 3)


def test_medical_lists_every_trigger_and_the_union_of_evidence():
    checkins = [
        cramp(1, 0, timing="night"),
        cramp(2, 1, timing="at_rest"),
        cramp(3, 9, severity=3),
        cramp(4, 16, severity=3),
        checkin(5, 2),
    ]
    medical = item(advise(checkins), "medical")
    assert "2 of your 4 cramps came at rest or at night." in medical.reason
    assert "You had cramps in 3 of the last 4 weeks." in medical.reason
    assert "2 of your 4 cramps were severe." in medical.reason
    assert medical.evidence == (1, 2, 3, 4)


def test_keep_going_yields_to_any_other_item():
    items = advise(calm(1, 2, 3) + [checkin(4, red_flags=("after_injury",))])
    assert [i.category for i in items] == ["urgent"]


def test_to_dict_has_the_api_shape():
    urgent = advise([checkin(3, 1, red_flags=("fever",))])[0]
    assert urgent.to_dict() == {
        "category": "urgent",
        "level": "urgent",
        "title": "Seek urgent care now",
        "reason": urgent.reason,
        "evidence": [3],
        "section": "red-flags",
    }


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
    assert ("urgent" in [i.category for i in items]) is counted
    if counted:
        assert "On 1 March 2025 you logged a fever" in items[0].reason


def test_local_today_decides_when_utc_is_already_tomorrow():
    # 05:00 UTC on 28 March is still 27 March in Los Angeles, so 28 February is in the window.
    now = datetime(2025, 3, 28, 5, 0, tzinfo=UTC)
    at = datetime(2025, 2, 28, 23, 30, tzinfo=LOS_ANGELES)
    items = advise(
        [checkin(1, at=at, red_flags=("fever",))], who=profile(str(LOS_ANGELES)), now=now
    )
    assert items[0].category == "urgent"
    assert "28 February 2025" in items[0].reason


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
    assert ("urgent" in [i.category for i in items]) is counted


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
    naive = datetime(2025, 3, 1, 0, 30)
    items = advise([checkin(1, at=naive, red_flags=("fever",))])
    assert items[0].category == "urgent"


def test_naive_now_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        advise(calm(1), now=datetime(2025, 3, 28, 12))


def test_checkins_after_today_are_left_out():
    tomorrow = checkin(1, at=NOW + timedelta(days=1), red_flags=("fever",))
    assert [i.category for i in advise([tomorrow])] == ["need_more_data"]


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
            "urgent",
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
