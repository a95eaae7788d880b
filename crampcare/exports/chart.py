"""Bars for the cramps-per-week chart, laid out here so the template only draws them."""

from dataclasses import dataclass
from datetime import date

WIDTH = 640
HEIGHT = 220
TOP = 24
BOTTOM = 40
LEFT = 8
GAP = 6


@dataclass(frozen=True)
class Bar:
    """One week's bar with its count written above it, so no colour is needed to read it."""

    x: float
    y: float
    width: float
    height: float
    count: int
    first_day: date
    label: str


@dataclass(frozen=True)
class Chart:
    """The chart's size, baseline and bars."""

    width: int
    height: int
    baseline: float
    bars: tuple[Bar, ...]
    total: int


def week_bars(weeks: list[tuple[date, int]]) -> Chart:
    """Lay out one bar per week, scaled to the largest week (at least 1)."""
    plot_height = HEIGHT - TOP - BOTTOM
    baseline = HEIGHT - BOTTOM
    peak = max([count for _, count in weeks] + [1])
    slot = (WIDTH - 2 * LEFT) / max(len(weeks), 1)
    bars = []
    for index, (first_day, count) in enumerate(weeks):
        height = plot_height * count / peak
        bars.append(
            Bar(
                x=round(LEFT + index * slot + GAP / 2, 1),
                y=round(baseline - height, 1),
                width=round(slot - GAP, 1),
                height=round(height, 1),
                count=count,
                first_day=first_day,
                label=f"{first_day.day} {first_day:%b}",
            )
        )
    return Chart(WIDTH, HEIGHT, baseline, tuple(bars), sum(c for _, c in weeks))
