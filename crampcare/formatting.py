"""What templates read: filters showing stored values in the user's own timezone and
units, and the vocabulary (every value list with its labels) as a global."""

from datetime import date, datetime, tzinfo

from flask import Flask, g
from flask_login import current_user

from . import vocabulary
from .local_time import resolve_timezone
from .vocabulary import ML_PER_FL_OZ, UNIT_SYMBOLS


def show_times_in(timezone: str) -> None:
    """Show this request's times in another person's timezone (a patient's, to their
    clinician): a cramp at 2 a.m. is a night cramp in the patient's day, not the reader's."""
    g.user_zone = resolve_timezone(timezone)


def user_zone() -> tzinfo:
    """The signed-in user's timezone, UTC when signed out or unknown (once per request)."""
    if "user_zone" not in g:
        g.user_zone = resolve_timezone(getattr(current_user, "timezone", None))
    return g.user_zone


def datetime_local(value: datetime | None) -> str:
    """ "Tue 3 Mar, 18:05" in the user's timezone."""
    if value is None:
        return ""
    local = value.astimezone(user_zone())
    return f"{local:%a} {local.day} {local:%b %Y}, {local:%H:%M}"


def date_local(value: datetime | None) -> str:
    """ "Tue 3 Mar 2026" in the user's timezone."""
    if value is None:
        return ""
    local = value.astimezone(user_zone())
    return f"{local:%a} {local.day} {local:%b %Y}"


def day_month(day: date) -> str:
    """ "Mon 23 Nov" for a calendar day (a week's Monday, say)."""
    return f"{day:%a} {day.day} {day:%b}"


def water(ml: int | float | None, units: str | None = None) -> str:
    """An amount of water in the user's chosen units."""
    if ml is None:
        return "—"
    units = units or getattr(current_user, "units", "ml")
    if units == "floz":
        return f"{ml / ML_PER_FL_OZ:.0f} {UNIT_SYMBOLS['floz']}"
    return f"{ml:.0f} {UNIT_SYMBOLS['ml']}"


def init_app(app: Flask) -> None:
    """Register the filters and the vocabulary."""
    app.jinja_env.globals["vocabulary"] = vocabulary
    app.add_template_filter(datetime_local)
    app.add_template_filter(date_local)
    app.add_template_filter(water)
    app.add_template_filter(day_month)
