"""The timezone picker's names: canonical, one per region, readable and searchable."""

from zoneinfo import ZoneInfo, available_timezones

from crampcare.timezones import (
    canonical_timezone,
    is_timezone,
    timezone_groups,
    timezone_names,
)

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
