"""The routine picker: which routines match the filters, and in what order they are offered.

Plain data in, plain data out: the view reads the filters from the query string and the
person's favourites and last sessions from the database, and this module does the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..routine_library import AREAS, DIFFICULTIES

# "Up to N minutes": the lengths a person picks from when time is short.
MAX_MINUTES = (5, 10, 15)


@dataclass(frozen=True)
class Filters:
    """What the person asked for; an empty value means any."""

    area: str = ""
    difficulty: str = ""
    max_minutes: int | None = None
    favourites_only: bool = False

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> Filters:
        """Read the filters from a query string, ignoring values that are not offered."""
        area = args.get("area", "")
        difficulty = args.get("difficulty", "")
        minutes = args.get("minutes", "")
        return cls(
            area=area if area in AREAS else "",
            difficulty=difficulty if difficulty in DIFFICULTIES else "",
            max_minutes=int(minutes) if minutes in {str(m) for m in MAX_MINUTES} else None,
            favourites_only=bool(args.get("favourites")),
        )

    @property
    def any_set(self) -> bool:
        """True when at least one filter narrows the list."""
        return bool(self.area or self.difficulty or self.max_minutes or self.favourites_only)


def pick(
    routines: Iterable[Any],
    filters: Filters,
    seconds_of: Callable[[Any], int],
    favourites: set[int] = frozenset(),
    last_played: Mapping[str, datetime] | None = None,
) -> list[Any]:
    """The routines that match, the most recently played first, then by title."""
    last_played = last_played or {}
    chosen = [
        routine
        for routine in routines
        if (not filters.area or routine.area == filters.area)
        and (not filters.difficulty or routine.difficulty == filters.difficulty)
        and (not filters.max_minutes or seconds_of(routine) <= filters.max_minutes * 60)
        and (not filters.favourites_only or routine.id in favourites)
    ]
    chosen.sort(key=lambda routine: routine.title.casefold())
    # Stable sort: routines never played keep their title order after the played ones.
    chosen.sort(
        key=lambda routine: (
            -last_played[routine.slug].timestamp() if routine.slug in last_played else float("inf")
        )
    )
    return chosen
