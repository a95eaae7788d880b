"""Counts and sums over a span of the log, made by the database: one row, whatever the history.

Each figure is a conditional aggregate (`count(CASE WHEN … THEN 1 END)`), so a panel
reads a fixed number of columns instead of the rows of its range.
"""

from datetime import datetime

from sqlalchemy import ColumnElement, and_, case, func


def between(column, start: datetime, end: datetime | None = None) -> ColumnElement[bool]:
    """The moment in [start, end), or from start on when there is no end."""
    return column >= start if end is None else and_(column >= start, column < end)


def count_where(condition: ColumnElement[bool]):
    """How many rows meet a condition."""
    return func.count(case((condition, 1)))


def sum_where(condition: ColumnElement[bool], value):
    """The sum of a value over the rows meeting a condition (NULL when there are none)."""
    return func.sum(case((condition, value)))


def per_week(column, bounds: list[datetime], *conditions: ColumnElement[bool]) -> list:
    """One count per week bounds[i]..bounds[i + 1], of the rows also meeting the conditions."""
    return [
        count_where(and_(between(column, start, end), *conditions))
        for start, end in zip(bounds, bounds[1:], strict=False)
    ]


def exact_mean(total: int, count: int) -> int | float:
    """total / count as `statistics.mean` gives it for whole numbers: an int when exact."""
    return total // count if total % count == 0 else total / count
