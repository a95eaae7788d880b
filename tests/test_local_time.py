"""Local time: timezones, a person's days and their Monday-to-Sunday weeks."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, available_timezones

import pytest

from crampcare.local_time import (
    canonical_timezone,
    is_timezone,
    local_date,
    local_day_start,
    parse_instant,
    resolve_timezone,
    timezone_groups,
    timezone_names,
    week_start,
    weekly_buckets,
)

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(
    ("day", "monday"),
    [
        (date(2026, 3, 2), date(2026, 3, 2)),  # a Monday is its own week's start
        (date(2026, 3, 8), date(2026, 3, 2)),  # a Sunday ends the week
        (date(2026, 3, 9), date(2026, 3, 9)),
        (date(2027, 1, 1), date(2026, 12, 28)),  # across a new year
    ],
)
def test_weeks_start_on_monday(day, monday):
    assert week_start(day) == monday


def test_buckets_cut_weeks_at_local_midnight_and_keep_empty_weeks():
    sunday_night = datetime(2026, 3, 8, 23, 30, tzinfo=BERLIN)  # 22:30 UTC
    monday_early = datetime(2026, 3, 9, 0, 30, tzinfo=BERLIN)  # 23:30 UTC, still Sunday in UTC
    too_early = datetime(2026, 2, 22, 12, 0, tzinfo=UTC)
    too_late = datetime(2026, 3, 30, 12, 0, tzinfo=UTC)
    moments = [sunday_night, monday_early, too_early, too_late]
    buckets = weekly_buckets(
        moments, lambda moment: moment, BERLIN, date(2026, 3, 2), date(2026, 3, 23)
    )
    assert list(buckets) == [
        date(2026, 3, 2),
        date(2026, 3, 9),
        date(2026, 3, 16),
        date(2026, 3, 23),
    ]
    assert buckets[date(2026, 3, 2)] == [sunday_night]
    assert buckets[date(2026, 3, 9)] == [monday_early]
    assert buckets[date(2026, 3, 16)] == buckets[date(2026, 3, 23)] == []


def test_a_week_with_a_clock_change_is_still_one_week():
    # Berlin moves to summer time early on Sunday 29 March 2026.
    start = local_day_start(date(2026, 3, 23), "Europe/Berlin")
    end = local_day_start(date(2026, 3, 30), "Europe/Berlin")
    assert end - start == timedelta(days=7) - timedelta(hours=1)
    moments = [start, end - timedelta(seconds=1), end]
    buckets = weekly_buckets(
        moments, lambda moment: moment, BERLIN, date(2026, 3, 23), date(2026, 3, 30)
    )
    assert [len(items) for items in buckets.values()] == [2, 1]


def test_naive_stored_times_read_as_utc():
    naive = datetime(2026, 3, 8, 23, 30)
    assert local_date(naive, BERLIN) == date(2026, 3, 9)


@pytest.mark.parametrize("name", [None, "", "Mars/Olympus_Mons", "../etc/passwd"])
def test_an_unknown_timezone_reads_as_utc(name):
    assert resolve_timezone(name) == UTC


@pytest.mark.parametrize(
    "text",
    [
        "2026-03-01T18:05:00+01:00",
        "2026-03-01T18:05:00Z",
        "2026-03-01T18:05:00.123456-09:30",
    ],
)
def test_instants_keep_their_offset(text):
    parsed = parse_instant(text)
    assert parsed.utcoffset() is not None
    assert parsed == datetime.fromisoformat(text)


@pytest.mark.parametrize(
    "value",
    [
        None,
        1767225600,
        "2026-03-01T18:05:00",  # no offset: whose 18:05?
        "2026-03-01",
        "yesterday",
        "0001-01-01T00:30:00+01:00",  # before year 1 in UTC
        "9999-12-31T23:30:00-01:00",  # after year 9999 in UTC
        "2026-03-01T18:05:00+01:00" + " " * 30,
    ],
)
def test_anything_else_is_not_an_instant(value):
    with pytest.raises(ValueError):
        parse_instant(value)


# The timezone picker: canonical names, one per region, readable and searchable.

ALIASES = ["Asia/Calcutta", "US/Eastern", "GB", "Europe/Kiev", "Etc/GMT", "Universal", "Zulu"]


def test_the_picker_lists_canonical_names_without_aliases():
    names = timezone_names()
    assert len(names) == len(set(names))
    # Far fewer than every name the database knows (aliases and all), but every region.
    assert 400 < len(names) < len(available_timezones()) - 150
    assert not set(ALIASES) & set(names)
    assert all("/" in name or name == "UTC" for name in names)
    assert not [name for name in names if name.startswith(("Etc/", "US/", "SystemV/"))]
    for name in ("Europe/Amsterdam", "Asia/Kolkata", "America/New_York", "Europe/Kyiv", "UTC"):
        assert name in names
    for name in names:
        ZoneInfo(name)


def test_each_zone_reads_as_city_and_country_under_its_area():
    groups = dict(timezone_groups())
    assert list(groups)[0] == "UTC"
    assert {"Europe", "Americas", "Asia", "Africa", "Pacific"} <= set(groups)
    words = {name: label for options in groups.values() for name, label in options}
    assert sorted(words) == sorted(timezone_names())
    assert len(set(words.values())) == len(words)
    assert words["Europe/Paris"] == "Paris, France"
    assert words["Asia/Kolkata"] == "Kolkata, India"
    assert words["America/New_York"] == "New York, United States – Eastern (most areas)"
    europe = [label for _, label in groups["Europe"]]
    assert europe == sorted(europe)


def test_aliases_lead_to_the_listed_name():
    assert canonical_timezone("Asia/Calcutta") == "Asia/Kolkata"
    assert canonical_timezone("US/Eastern") == "America/New_York"
    assert canonical_timezone("Europe/Kiev") == "Europe/Kyiv"
    assert canonical_timezone("Etc/UTC") == "UTC"
    assert canonical_timezone("Europe/Amsterdam") == "Europe/Amsterdam"
    assert canonical_timezone("Nowhere/Town") == "Nowhere/Town"
    assert is_timezone("Asia/Calcutta") and not is_timezone("Nowhere/Town")
