"""The IANA timezone names a user may choose from, and how the picker shows them.

The picker lists the zones of the tz database's `zone.tab`: one name per region of a
country, no backward-compatible aliases ("US/Eastern", "Asia/Calcutta"), each with its
country's name. A browser may still report an alias; `canonical_timezone` follows the
database's links from it to the name the picker lists.
"""

from collections import defaultdict
from functools import cache
from importlib.resources import files
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

UTC_NAME = "UTC"
# How each area of the database reads as a heading in the picker.
AREAS = {
    "Africa": "Africa",
    "America": "Americas",
    "Antarctica": "Antarctica",
    "Arctic": "Arctic",
    "Asia": "Asia",
    "Atlantic": "Atlantic",
    "Australia": "Australia",
    "Europe": "Europe",
    "Indian": "Indian Ocean",
    "Pacific": "Pacific",
}


def _tz_file(name: str) -> str:
    return files("tzdata").joinpath("zoneinfo", name).read_text(encoding="utf-8")


def _rows(name: str) -> list[list[str]]:
    lines = _tz_file(name).splitlines()
    return [line.split("\t") for line in lines if line and not line.startswith("#")]


@cache
def _zone_table() -> dict[str, tuple[str, str]]:
    """Each listed zone → (country code, the database's comment on the region)."""
    return {row[2]: (row[0], row[3] if len(row) > 3 else "") for row in _rows("zone.tab")}


@cache
def _countries() -> dict[str, str]:
    return {row[0]: row[1] for row in _rows("iso3166.tab")}


@cache
def _links() -> dict[str, str]:
    """Every alias in the database → the zone it stands for."""
    lines = _tz_file("tzdata.zi").splitlines()
    return {line.split()[2]: line.split()[1] for line in lines if line.startswith("L ")}


@cache
def timezone_names() -> tuple[str, ...]:
    """The names the picker offers: the zone table's, and UTC, sorted."""
    return tuple(sorted({*_zone_table(), UTC_NAME}))


def is_timezone(name: str) -> bool:
    """True for a timezone name this machine can use (an alias included)."""
    if name not in available_timezones():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def canonical_timezone(name: str) -> str:
    """The picker's name for a timezone: an alias followed to a listed zone, else itself."""
    listed = set(timezone_names())
    seen = set()
    current = name
    while current not in listed and current in _links() and current not in seen:
        seen.add(current)
        current = _links()[current]
    if current in ("Etc/UTC", "Etc/GMT"):
        return UTC_NAME
    return current if current in listed else name


def _city(name: str) -> str:
    return name.rsplit("/", 1)[-1].replace("_", " ")


@cache
def timezone_groups() -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    """The picker's options, (heading, ((name, words), …)), by area then by words.

    A zone reads "City, Country", with the database's note on the region where the
    country has several zones ("New York, United States – Eastern (most areas)").
    """
    table = _zone_table()
    per_country = defaultdict(int)
    for code, _comment in table.values():
        per_country[code] += 1
    groups: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for name, (code, comment) in table.items():
        country = _countries().get(code, code)
        city = _city(name)
        words = country if city == country else f"{city}, {country}"
        if per_country[code] > 1 and comment:
            words += f" – {comment}"
        groups[AREAS.get(name.split("/", 1)[0], "Other")].append((name, words))
    ordered = [(area, tuple(sorted(groups[area], key=lambda o: o[1]))) for area in sorted(groups)]
    return ((UTC_NAME, ((UTC_NAME, "UTC, Coordinated Universal Time"),)), *ordered)
