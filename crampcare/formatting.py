"""Template filters that show stored values in the user's own timezone and units."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Flask, g
from flask_login import current_user

ML_PER_US_FL_OZ = 29.5735


def show_times_in(timezone: str) -> None:
    """Show this request's times in another person's timezone (a patient's, to their
    clinician): a cramp at 2 a.m. is a night cramp in the patient's day, not the reader's."""
    try:
        g.user_zone = ZoneInfo(timezone or "UTC")
    except (KeyError, ValueError):
        g.user_zone = ZoneInfo("UTC")


def user_zone() -> ZoneInfo:
    """The signed-in user's timezone, UTC when signed out or unknown (once per request)."""
    if "user_zone" not in g:
        name = getattr(current_user, "timezone", None) or "UTC"
        try:
            g.user_zone = ZoneInfo(name)
        except (KeyError, ValueError):
            g.user_zone = ZoneInfo("UTC")
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
        return f"{ml / ML_PER_US_FL_OZ:.0f} fl oz"
    return f"{ml:.0f} ml"


def init_app(app: Flask) -> None:
    """Register the filters."""
    app.add_template_filter(datetime_local)
    app.add_template_filter(date_local)
    app.add_template_filter(water)
    app.add_template_filter(day_month)
