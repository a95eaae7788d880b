"""Counts and sums over a span of the log, made by the database: one row, whatever the history.

Each figure is a conditional aggregate (`count(CASE WHEN … THEN 1 END)`), so a panel
reads a fixed number of columns instead of the rows of its range. The statements are
built once per shape with named parameters (`week_0`, `week_1`, … and the like) and
kept, so a request only binds values: SQLAlchemy reuses their compiled form.
"""

from collections.abc import Sequence
from datetime import datetime
from itertools import pairwise

from sqlalchemy import BindParameter, ColumnElement, and_, bindparam, case, func


def moment(name: str, column) -> BindParameter:
    """A named parameter holding a moment, typed like the column it is compared with."""
    return bindparam(name, type_=column.type)


def count_where(condition: ColumnElement[bool]):
    """How many rows meet a condition."""
    return func.count(case((condition, 1)))


def sum_where(condition: ColumnElement[bool], value):
    """The sum of a value over the rows meeting a condition (NULL when there are none)."""
    return func.sum(case((condition, value)))


def week_parameters(column, weeks: int) -> list[BindParameter]:
    """Parameters week_0 … week_<weeks>: the starts of `weeks` weeks and the end of the last."""
    return [moment(f"week_{n}", column) for n in range(weeks + 1)]


def week_values(bounds: list[datetime]) -> dict[str, datetime]:
    """The values of week_parameters for these week bounds."""
    return {f"week_{n}": bound for n, bound in enumerate(bounds)}


def per_week(column, weeks: int, *conditions: ColumnElement[bool]) -> list:
    """Columns from which `weekly` reads one count per week (from week_n to week_n+1) of
    the rows also meeting the conditions.

    Column n counts the rows from week_n on, the last one those from the end of the last
    week on: one comparison a row and a column, and each moment bound once (a count per
    week between two bounds would compare twice and bind each moment twice).
    """
    return [
        count_where(and_(column >= start, *conditions)) for start in week_parameters(column, weeks)
    ]


def weekly(counts_from: Sequence[int]) -> list[int]:
    """The count of each week, from the columns of `per_week`: the rows from the week's
    start on, less those from the next week's start on."""
    return [this - rest for this, rest in pairwise(counts_from)]


def exact_mean(total: int, count: int) -> int | float:
    """total / count as `statistics.mean` gives it for whole numbers: an int when exact."""
    return total // count if total % count == 0 else total / count
