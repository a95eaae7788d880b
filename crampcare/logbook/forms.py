"""Check-in forms: Flask-WTF supplies the CSRF token, `rules` the rules."""

import uuid
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import request
from flask_wtf import FlaskForm

from ..local_time import resolve_timezone
from ..vocabulary import CHECKIN_QUESTIONS, CRAMP_QUESTIONS
from .queries import check_session_owner
from .rules import from_form, ml_to_fluid_ounces, validate_checkin

# Around a workout, not about a cramp at rest or at night: "Log a cramp" leaves them out.
WORKOUT_FIELDS = ("water_ml", "electrolytes", "sweat", "exertion")
# Groups of radios or checkboxes: the summary links to their first box.
GROUPS = ("cramp_severity", "cramp_timing", "cramp_locations", "pain")
GROUPS += ("electrolytes", "sweat", "exertion")
# A typed time may run a little ahead of the server's clock, never a day ahead.
TYPED_TIME_TOLERANCE = timedelta(minutes=10)


class CheckinForm(FlaskForm):
    """The check-in and cramp forms; their fields are checked by `rules`."""


def shows_time(kind: str) -> bool:
    """Whether a form asks when it happened (a cramp on its own, an edit)."""
    return kind in ("cramp", "edit")


def questions_for(kind: str) -> dict[str, str]:
    """The questions a kind of form asks, in order."""
    if kind == "cramp":
        return {k: v for k, v in CRAMP_QUESTIONS.items() if k not in WORKOUT_FIELDS}
    return CHECKIN_QUESTIONS


def error_problems(errors: dict[str, str], kind: str) -> list[tuple[str, str, str]]:
    """The error summary's lines (target id, label, message), in the form's order."""
    questions = questions_for(kind)
    ordered = [name for name in questions if name in errors]
    ordered += [name for name in errors if name not in questions]
    return [(_target(name, kind), questions.get(name, name), errors[name]) for name in ordered]


def form_view(kind: str, errors: dict[str, str], now: datetime) -> dict[str, Any]:
    """What the check-in form template needs besides its fields, for any page showing it."""
    return {
        "kind": kind,
        "questions": questions_for(kind),
        "shows_time": shows_time(kind),
        "problems": error_problems(errors, kind),
        "today": now.date().isoformat(),
    }


def _target(name: str, kind: str) -> str:
    if name in GROUPS:
        return f"{name}-0"
    if name in ("water_ml", "notes", "red_flags"):
        return name
    if name == "recorded_at" and shows_time(kind):
        return "recorded_date"
    return "checkin-form"


def blank_fields(severity: int, session_id: int | None, now: datetime) -> dict[str, Any]:
    """The values a new form opens with; the client_id makes a double submit harmless."""
    return {
        "client_id": str(uuid.uuid4()),
        "session_id": session_id,
        "recorded_at": "",
        "recorded_date": now.date().isoformat(),
        "recorded_time": now.strftime("%H:%M"),
        "cramp_severity": severity,
        "cramp_locations": [],
        "electrolytes": [],
        "red_flags": [],
    }


def stored_fields(record: dict[str, Any], units: str, timezone: str) -> dict[str, Any]:
    """A stored check-in (as to_dict) shown in the form, in the user's units and zone."""
    fields = dict(record)
    if units == "floz":
        fields["water_ml"] = ml_to_fluid_ounces(record.get("water_ml"))
    local = datetime.fromisoformat(record["recorded_at"]).astimezone(resolve_timezone(timezone))
    fields["recorded_date"] = local.date().isoformat()
    fields["recorded_time"] = local.strftime("%H:%M")
    return fields


def read_submission(units: str, *, now, timezone: str, current=None, default_time=None):
    """Check the submitted form: (values, errors, fields to show again).

    The typed date and time, the rules, then whether a named session is the signed-in
    user's.
    """
    submitted = {name: request.form.getlist(name) for name in request.form}
    typed_date = _last(submitted.pop("recorded_date", None))
    typed_time = _last(submitted.pop("recorded_time", None))
    time_error = None
    if typed_date is not None or typed_time is not None:
        moment, time_error = typed_moment(typed_date or "", typed_time or "", timezone, now)
        if not (moment and current and _same_minute(moment, current.get("recorded_at"))):
            submitted["recorded_at"] = [moment.isoformat() if moment else ""]
        # Else an edit left the time as shown: the stored one, seconds and offset, stays.
    data, errors = from_form(submitted, units)
    values, rule_errors = validate_checkin(
        data, now=now, current=current, default_time=default_time
    )
    # The unit conversion's and the typed time's messages say more than the rules'.
    errors = {**rule_errors, **errors}
    if time_error:
        errors["recorded_at"] = time_error
    # The page always sends these: when they are wrong, the page was, not the person.
    for name in ("client_id", "session_id"):
        if name in errors:
            errors[name] = "This form was incomplete. Reload the page and try again."
    check_session_owner(values, errors)
    fields = {
        **data,
        "water_ml": request.form.get("water_ml", ""),
        "recorded_date": typed_date,
        "recorded_time": typed_time,
    }
    return ({} if errors else values), errors, fields


def _same_minute(moment: datetime, stored: datetime | None) -> bool:
    return stored is not None and moment == stored.replace(second=0, microsecond=0)


def _last(values: list[str] | None) -> str | None:
    return None if values is None else (values[-1] if values else "").strip()


def typed_moment(
    day: str, clock: str, timezone: str, now: datetime
) -> tuple[datetime | None, str | None]:
    """A date and time typed in the user's timezone, as an aware moment, or why not."""
    try:
        parsed_day = date.fromisoformat(day)
    except ValueError:
        return None, "Give the date, e.g. 2026-03-01."
    try:
        parsed_time = time.fromisoformat(clock)
    except ValueError:
        return None, "Give the time, e.g. 23:30."
    moment = datetime.combine(parsed_day, parsed_time, tzinfo=resolve_timezone(timezone))
    if moment > now + TYPED_TIME_TOLERANCE:
        return None, "That is later than now: check the date and time."
    return moment, None
