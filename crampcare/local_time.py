"""Time as a person lives it: their timezone, their calendar days and their Monday weeks.

Stored times are UTC; everything a person reads by day or by week is cut in their own
timezone here, so the dashboard, the report, the CSV and the clinician's pages agree.

The timezone picker lists the zones of the tz database's `zone.tab`: one name per region
of a country, no backward-compatible aliases ("US/Eastern", "Asia/Calcutta"), each with
its country's name. A browser may still report an alias; `canonical_timezone` follows
the database's links from it to the name the picker lists.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import cache
from importlib.resources import files
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

T = TypeVar("T")

ONE_DAY = timedelta(days=1)
ONE_WEEK = timedelta(weeks=1)
# ISO 8601 text of a date-time with offset is at most 32 characters; 40 leaves room.
INSTANT_MAX_LENGTH = 40

# The picker's name for Coordinated Universal Time, listed first.
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


@cache
def _usable_names() -> frozenset[str]:
    """Every zone name this machine has. Listing them walks the tz files on disk (about
    5 ms, a third of a registration); they change only with a new tzdata, that is a
    restart, so they are listed once a process."""
    return frozenset(available_timezones())


def is_timezone(name: str) -> bool:
    """True for a timezone name this machine can use (an alias included)."""
    if name not in _usable_names():
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


def resolve_timezone(name: str | None) -> tzinfo:
    """Return the named IANA timezone, or UTC when the name is missing or unknown."""
    if not name:
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        # A browser may report a zone this server's tz database lacks: UTC beats a crash.
        return UTC


def as_utc(moment: datetime) -> datetime:
    """A stored moment in UTC; SQLite hands back naive datetimes, and we store UTC."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def local_date(moment: datetime, zone: tzinfo) -> date:
    """The calendar day a moment falls on in a timezone."""
    return as_utc(moment).astimezone(zone).date()


def today(timezone: str | None, now: datetime | None = None) -> date:
    """Today's date in a person's timezone."""
    return local_date(now or datetime.now(UTC), resolve_timezone(timezone))


def local_now(timezone: str | None) -> datetime:
    """Now, in a person's timezone (its offset is what a form check-in records)."""
    return datetime.now(UTC).astimezone(resolve_timezone(timezone))


def local_day_start(day: date, timezone: str | None) -> datetime:
    """Midnight of a calendar day in a person's timezone, in UTC."""
    zone = resolve_timezone(timezone)
    return datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)


def window_start(now: datetime, timezone: str | None, days: int) -> datetime:
    """Return, in UTC, the start of the local day `days - 1` days before today."""
    first_day = today(timezone, now) - timedelta(days=days - 1)
    return local_day_start(first_day, timezone)


def week_start(day: date) -> date:
    """The Monday of a day's week: weeks run Monday to Sunday (ISO 8601)."""
    return day - timedelta(days=day.weekday())


def week_bounds(first_week: date, last_week: date, timezone: str | None) -> list[datetime]:
    """The UTC start of each local week first..last, then of the Monday after the last.

    Week i runs from bounds[i] to bounds[i + 1]: what a query counts by week with.
    """
    mondays = []
    week = week_start(first_week)
    while week <= last_week + ONE_WEEK:
        mondays.append(week)
        week += ONE_WEEK
    return [local_day_start(monday, timezone) for monday in mondays]


def weekly_buckets(
    items: Iterable[T],
    moment: Callable[[T], datetime],
    zone: tzinfo,
    first_week: date,
    last_week: date,
) -> dict[date, list[T]]:
    """Items grouped by the Monday of their local day, for each week first..last.

    Every week of the span has a bucket, empty or not, in order; items outside the
    span are left out.
    """
    buckets: dict[date, list[T]] = {}
    week = week_start(first_week)
    while week <= last_week:
        buckets[week] = []
        week += ONE_WEEK
    for item in items:
        bucket = buckets.get(week_start(local_date(moment(item), zone)))
        if bucket is not None:
            bucket.append(item)
    return buckets


def parse_instant(value: object) -> datetime:
    """An ISO 8601 date-time with its UTC offset; ValueError for anything else.

    Also refused: a time the offset would move out of years 1-9999 in UTC.
    """
    if not isinstance(value, str) or len(value) > INSTANT_MAX_LENGTH:
        raise ValueError("not an ISO 8601 date-time")
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise ValueError("no UTC offset")
    try:
        parsed.astimezone(UTC)
    except OverflowError:
        raise ValueError("outside the calendar in UTC") from None
    return parsed
