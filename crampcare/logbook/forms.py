"""Check-in forms: Flask-WTF supplies the CSRF token, `rules` the rules."""

import uuid
from typing import Any

from flask import request
from flask_wtf import FlaskForm

from .queries import check_session_owner
from .rules import from_form, ml_to_fluid_ounces, validate_checkin


class CheckinForm(FlaskForm):
    """The check-in and cramp forms; their fields are checked by `rules`."""


def blank_fields(severity: int, session_id: int | None) -> dict[str, Any]:
    """The values a new form opens with; the client_id makes a double submit harmless."""
    return {
        "client_id": str(uuid.uuid4()),
        "session_id": session_id,
        "recorded_at": "",
        "cramp_severity": severity,
        "cramp_locations": [],
        "electrolytes": [],
        "red_flags": [],
    }


def stored_fields(record: dict[str, Any], units: str) -> dict[str, Any]:
    """A stored check-in (as to_dict) shown in the form, water in the user's units."""
    fields = dict(record)
    if units == "floz":
        fields["water_ml"] = ml_to_fluid_ounces(record.get("water_ml"))
    return fields


def read_submission(units: str, *, now, current=None, default_time=None):
    """Check the submitted form: (values, errors, fields to show again).

    The rules, then whether a named session is the signed-in user's.
    """
    submitted = {name: request.form.getlist(name) for name in request.form}
    data, errors = from_form(submitted, units)
    values, rule_errors = validate_checkin(
        data, now=now, current=current, default_time=default_time
    )
    check_session_owner(values, rule_errors)
    # The unit conversion's message says more than "required" or a range in ml.
    errors = {**rule_errors, **errors}
    fields = {**data, "water_ml": request.form.get("water_ml", "")}
    return ({} if errors else values), errors, fields
