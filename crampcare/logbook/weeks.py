"""Cramps counted by Monday-to-Sunday week: one count for the dashboard and the report."""

from collections.abc import Iterable
from datetime import date, datetime, timedelta, tzinfo

from ..charts import WeekBar
from ..local_time import week_start, weekly_buckets


def cramp_weeks(
    checkins: Iterable[tuple[datetime, int]], zone: tzinfo, first_week: date, last_week: date
) -> list[WeekBar]:
    """Cramps and check-ins in each local week first..last, from (recorded_at, severity)."""
    buckets = weekly_buckets(checkins, lambda checkin: checkin[0], zone, first_week, last_week)
    return [
        WeekBar(week, sum(1 for _at, severity in rows if severity >= 1), len(rows))
        for week, rows in buckets.items()
    ]


def last_weeks(today: date, count: int) -> tuple[date, date]:
    """The Mondays of the first and last of `count` weeks ending with this week."""
    last_week = week_start(today)
    return last_week - timedelta(weeks=count - 1), last_week
