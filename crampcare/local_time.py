"""Time as a person lives it: their timezone, their calendar days and their Monday weeks.

Stored times are UTC; everything a person reads by day or by week is cut in their own
timezone here, so the dashboard, the report, the CSV and the clinician's pages agree.
"""

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import cache
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

T = TypeVar("T")

ONE_DAY = timedelta(days=1)
ONE_WEEK = timedelta(weeks=1)
# ISO 8601 text of a date-time with offset is at most 32 characters; 40 leaves room.
INSTANT_MAX_LENGTH = 40


@cache
def timezone_names() -> tuple[str, ...]:
    """Every IANA timezone name this machine knows, sorted."""
    return tuple(sorted(available_timezones()))


def is_timezone(name: str) -> bool:
    """True for a timezone name this machine can use."""
    if name not in timezone_names():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


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
