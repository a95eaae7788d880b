"""Charts drawn on the server as inline SVG: readable without colour or JavaScript."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from math import ceil

from markupsafe import Markup, escape

WIDTH = 360
HEIGHT = 200
MARGIN_LEFT = 30
MARGIN_RIGHT = 8
MARGIN_TOP = 22
MARGIN_BOTTOM = 34


@dataclass(frozen=True)
class WeekBar:
    """One week of the cramps-per-week chart."""

    week_start: date
    cramps: int
    checkins: int


def _nice_top(peak: int) -> int:
    """The y-axis top: at least 2, rounded up to an even number for whole-number ticks."""
    return max(2, ceil(peak / 2) * 2)


def week_label(day: date) -> str:
    """ "3 Mar" for the x axis."""
    return f"{day.day} {day:%b}"


def cramps_per_week_svg(weeks: Sequence[WeekBar], title: str = "Cramps per week") -> Markup:
    """A bar chart of cramps per week, each bar labelled with its number."""
    plot_w = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    plot_h = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    top = _nice_top(max((week.cramps for week in weeks), default=0))
    slot = plot_w / max(len(weeks), 1)
    bar_w = max(4.0, slot * 0.62)
    label_every = max(1, ceil(len(weeks) / 7))
    total = sum(week.cramps for week in weeks)
    desc = (
        f"{total} cramp{'s' if total != 1 else ''} over {len(weeks)} week"
        f"{'s' if len(weeks) != 1 else ''}: "
        + "; ".join(f"week of {week_label(w.week_start)}: {w.cramps}" for w in weeks)
    )
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="chart-title chart-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="chart-title">{escape(title)}</title>',
        f'<desc id="chart-desc">{escape(desc)}</desc>',
    ]
    for tick in range(0, top + 1, max(1, top // 2)):
        y = MARGIN_TOP + plot_h - plot_h * tick / top
        parts.append(
            f'<line class="chart-grid" x1="{MARGIN_LEFT}" x2="{WIDTH - MARGIN_RIGHT}" '
            f'y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="chart-tick" x="{MARGIN_LEFT - 6}" y="{y + 4:.1f}" '
            f'text-anchor="end">{tick}</text>'
        )
    for index, week in enumerate(weeks):
        x = MARGIN_LEFT + slot * index + (slot - bar_w) / 2
        h = plot_h * week.cramps / top
        y = MARGIN_TOP + plot_h - h
        parts.append(
            f'<rect class="chart-bar" x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" '
            f'height="{h:.1f}" rx="2"/>'
        )
        if week.cramps or week.checkins:
            # The number on each bar: the chart reads without telling colours apart.
            parts.append(
                f'<text class="chart-value" x="{x + bar_w / 2:.1f}" y="{y - 4:.1f}" '
                f'text-anchor="middle">{week.cramps}</text>'
            )
        if index % label_every == 0:
            parts.append(
                f'<text class="chart-label" x="{x + bar_w / 2:.1f}" '
                f'y="{HEIGHT - MARGIN_BOTTOM + 16}" text-anchor="middle">'
                f"{escape(week_label(week.week_start))}</text>"
            )
    parts.append(
        f'<line class="chart-axis" x1="{MARGIN_LEFT}" x2="{WIDTH - MARGIN_RIGHT}" '
        f'y1="{MARGIN_TOP + plot_h}" y2="{MARGIN_TOP + plot_h}"/>'
        f'<text class="chart-label" x="{MARGIN_LEFT + plot_w / 2:.1f}" y="{HEIGHT - 2}" '
        f'text-anchor="middle">Week starting</text>'
        f'<text class="chart-label" x="4" y="12">Cramps</text>'
        "</svg>"
    )
    return Markup("".join(parts))
