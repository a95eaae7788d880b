"""When a person's reminder is due, in their own timezone, daylight-saving changes included."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ..vocabulary import WEEKDAYS

# Monday first, as date.weekday() counts.
WEEKDAY_CODES = tuple(WEEKDAYS)


def parse_time(value: str) -> time | None:
    """A local time from "HH:MM" (24-hour), or None when it is not one."""
    try:
        parsed = datetime.strptime(value, "%H:%M")
    except (TypeError, ValueError):
        return None
    return parsed.time() if len(value) == 5 else None


def scheduled_at(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The instant (UTC) a reminder set for `at` falls on `day` in `zone`.

    A time that does not exist that day (the hour skipped when clocks go forward) falls
    at the same wall time on the old offset, an hour later on the new clock; a time that
    happens twice (clocks go back) falls on its first occurrence.
    """
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def due_day(
    now: datetime, timezone: str, days: list[str], at: str | None, window: timedelta
) -> date | None:
    """The local day whose reminder is due at `now`, or None.

    Due means its scheduled instant has passed and less than `window` ago, so a run every
    few minutes finds it once the time comes, and a run that was missed catches up.
    """
    moment = parse_time(at or "")
    if moment is None or not days:
        return None
    zone = ZoneInfo(timezone)
    today = now.astimezone(zone).date()
    # A window that began yesterday evening may still be open after midnight.
    for day in (today, today - timedelta(days=1)):
        if WEEKDAY_CODES[day.weekday()] not in days:
            continue
        start = scheduled_at(day, moment, zone)
        if start <= now < start + window:
            return day
    return None
