"""The rules a check-in or a session must meet (SPEC §5), for every way one arrives.

Pure: no Flask, no database. `validate_checkin` takes the JSON-shaped input and
returns (values, errors): values are ready for the Checkin model, errors name every
bad field. `from_form` turns a submitted form into that JSON shape first.
`validate_session` does the same for a session played with the player.
"""

import math
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from ..local_time import parse_instant
from ..record_ids import MAX_ID, client_uuid
from ..vocabulary import ELECTROLYTES, LOCATIONS, ML_PER_FL_OZ, RED_FLAGS, SWEAT, TIMINGS

PAIN_RANGE = (0, 10)
EXERTION_RANGE = (1, 10)
WATER_RANGE = (0, 5000)
NOTES_MAX = 1000
# Clocks on phones drift; a check-in a day ahead of the server is a mistake, not drift.
FUTURE_TOLERANCE = timedelta(days=1)
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)

FIELDS = (
    "client_id",
    "session_id",
    "recorded_at",
    "cramp_severity",
    "cramp_timing",
    "cramp_locations",
    "pain",
    "water_ml",
    "electrolytes",
    "sweat",
    "exertion",
    "red_flags",
    "notes",
)
LIST_FIELDS = ("cramp_locations", "electrolytes", "red_flags")
INT_FIELDS = ("session_id", "cramp_severity", "pain", "water_ml", "exertion")
# Fields a check-in cannot be saved without; the rest may be null or empty.
REQUIRED = ("client_id", "recorded_at", "cramp_severity")


class _Invalid(Exception):
    """A field's value broke its rule; the message is for the user."""


def _integer(value: Any, low: int, high: int, what: str) -> int:
    # bool is an int to Python, but `true` is not a severity.
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Invalid(f"Give {what} as a whole number from {low} to {high}.")
    if not low <= value <= high:
        raise _Invalid(f"Give {what} from {low} to {high}.")
    return value


def _optional(clean: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def optional(value: Any) -> Any:
        return None if value is None else clean(value)

    return optional


def _choice(options: Mapping[str, str], what: str) -> Callable[[Any], str]:
    def choice(value: Any) -> str:
        if not isinstance(value, str) or value not in options:
            raise _Invalid(f"Choose {what}: one of {', '.join(options)}.")
        return value

    return choice


def _subset(options: Mapping[str, str]) -> Callable[[Any], list[str]]:
    def subset(value: Any) -> list[str]:
        if value is None:
            return []
        if not isinstance(value, list):
            raise _Invalid("Give a list (it may be empty).")
        unknown = [item for item in value if not isinstance(item, str) or item not in options]
        if unknown:
            shown = ", ".join(repr(item) for item in unknown[:3])
            raise _Invalid(f"Unknown value {shown}; choose from {', '.join(options)}.")
        # Repeats are dropped and the order made canonical, so equal sets compare equal.
        chosen = set(value)
        return [option for option in options if option in chosen]

    return subset


def _client_id(value: Any) -> str:
    canonical = client_uuid(value)
    if canonical is None:
        raise _Invalid("Give a UUID made by the client.")
    return canonical


def _session_id(value: Any) -> int:
    # Above a 64-bit id no session exists, and the database could not even compare it.
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ID:
        raise _Invalid("Give the id of one of your sessions.")
    return value


def _notes(value: Any) -> str | None:
    if not isinstance(value, str):
        raise _Invalid("Give the notes as text.")
    value = value.strip()
    if len(value) > NOTES_MAX:
        raise _Invalid(f"Keep the notes to {NOTES_MAX:,} characters ({len(value):,} now).")
    return value or None


INSTANT_MESSAGE = "Give a date and time with its UTC offset, e.g. 2026-03-01T18:05:00+01:00."


def _instant(value: Any) -> datetime:
    try:
        return parse_instant(value)
    except ValueError:
        raise _Invalid(INSTANT_MESSAGE) from None


CLEANERS: dict[str, Callable[[Any], Any]] = {
    "client_id": _client_id,
    "session_id": _optional(_session_id),
    "cramp_severity": lambda v: _integer(v, 0, 3, "the cramp's severity"),
    "cramp_timing": _optional(_choice(TIMINGS, "when the cramp came")),
    "cramp_locations": _subset(LOCATIONS),
    "pain": _optional(lambda v: _integer(v, *PAIN_RANGE, "the pain")),
    "water_ml": _optional(lambda v: _integer(v, *WATER_RANGE, "the water in ml")),
    "electrolytes": _subset(ELECTROLYTES),
    "sweat": _optional(_choice(SWEAT, "how much you sweated")),
    "exertion": _optional(lambda v: _integer(v, *EXERTION_RANGE, "how hard it felt")),
    "red_flags": _subset(RED_FLAGS),
    "notes": _optional(_notes),
}


def validate_checkin(
    data: Mapping[str, Any],
    *,
    now: datetime,
    current: Mapping[str, Any] | None = None,
    default_time: datetime | None = None,
) -> tuple[dict[str, Any], dict[str, str]]:
    """Check JSON-shaped input; return (model values, errors naming each bad field).

    `current` holds a stored check-in's values: the input then only changes what it
    names (a PATCH). `default_time` stands in for a missing recorded_at (the forms).
    """
    errors: dict[str, str] = {name: "Unknown field." for name in data if name not in FIELDS}
    values: dict[str, Any] = dict(current or {})
    for name in FIELDS:
        if name not in data or name == "recorded_at":
            continue
        try:
            values[name] = CLEANERS[name](data[name])
        except _Invalid as problem:
            errors[name] = str(problem)
    _check_recorded_at(data, values, errors, now=now, default_time=default_time)
    changed_id = current is not None and values.get("client_id") != current.get("client_id")
    if changed_id and "client_id" not in errors:
        errors["client_id"] = "A check-in's client_id cannot change."
    for name in REQUIRED:
        if name not in errors and values.get(name) is None:
            errors[name] = "This is required."
    _check_cramp(values, errors)
    return ({} if errors else values), errors


def _check_recorded_at(data, values, errors, *, now: datetime, default_time) -> None:
    raw = data.get("recorded_at")
    if raw in (None, "") and default_time is not None and "recorded_at" not in values:
        raw = default_time.isoformat()
    if raw is None and "recorded_at" not in data:
        return
    try:
        moment = _instant(raw)
    except _Invalid as problem:
        errors["recorded_at"] = str(problem)
        return
    if moment > now + FUTURE_TOLERANCE or moment < EARLIEST:
        errors["recorded_at"] = "That time is not plausible: check the date."
        return
    values["recorded_at"] = moment.astimezone(UTC)
    values["recorded_offset_minutes"] = int(moment.utcoffset().total_seconds() // 60)


def _check_cramp(values: dict[str, Any], errors: dict[str, str]) -> None:
    """A cramp needs its timing; with no cramp, timing and places are cleared."""
    if "cramp_severity" in errors or values.get("cramp_severity") is None:
        return
    if values["cramp_severity"] == 0:
        values["cramp_timing"] = None
        values["cramp_locations"] = []
    elif values.get("cramp_timing") is None and "cramp_timing" not in errors:
        errors["cramp_timing"] = "Say when the cramp came."


def from_form(form: Mapping[str, list[str]], units: str = "ml") -> tuple[dict, dict[str, str]]:
    """Turn submitted form fields (name → list of strings) into the JSON shape.

    Numbers arrive as text; blank means not given. With units "floz" the water box
    holds US fluid ounces and is converted to whole millilitres here.
    """
    data: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, raw_values in form.items():
        if name in ("csrf_token", "water_unit"):
            continue
        if name in LIST_FIELDS:
            data[name] = [value for value in raw_values if value]
            continue
        raw = (raw_values[-1] if raw_values else "").strip()
        if name == "water_ml" and units == "floz":
            data[name], problem = _fluid_ounces_to_ml(raw)
            if problem:
                errors[name] = problem
        elif name in INT_FIELDS:
            data[name] = None if raw == "" else _int_or_text(raw)
        else:
            data[name] = raw or None
    for name in LIST_FIELDS:
        data.setdefault(name, [])
    return data, errors


def _int_or_text(raw: str) -> int | str:
    # Left as text when not a whole number, so the rule names the field.
    try:
        return int(raw)
    except ValueError:
        return raw


def _fluid_ounces_to_ml(raw: str) -> tuple[int | None, str | None]:
    if raw == "":
        return None, None
    most = WATER_RANGE[1] / ML_PER_FL_OZ
    try:
        ounces = float(raw)
    except ValueError:
        return None, f"Give the water as a number of fl oz from 0 to {most:.0f}."
    if not math.isfinite(ounces) or not 0 <= ounces <= most:
        return None, f"Give the water from 0 to {most:.0f} fl oz."
    return round(ounces * ML_PER_FL_OZ), None


def ml_to_fluid_ounces(ml: int | None) -> float | None:
    """Millilitres as US fluid ounces, to one decimal, for the form's water box."""
    return None if ml is None else round(ml / ML_PER_FL_OZ, 1)


SESSION_FIELDS = (
    "client_id",
    "routine_slug",
    "started_at",
    "ended_at",
    "steps_completed",
    "steps_total",
)
MAX_STEPS = 1000


def _step_count(value: Any, field: str, errors: dict[str, str]) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_STEPS:
        errors[field] = f"Give a whole number from 0 to {MAX_STEPS}."
        return None
    return value


def _session_instant(value: Any, field: str, errors: dict[str, str]) -> datetime | None:
    try:
        return parse_instant(value)
    except ValueError:
        errors[field] = INSTANT_MESSAGE
        return None


def validate_session(
    data: Mapping[str, Any], routine_visible: Callable[[str], bool]
) -> tuple[dict[str, Any], dict[str, str]]:
    """Check a session body; return the values to store and a message per bad field.

    `routine_visible` says whether the player's user may see a routine slug.
    """
    errors: dict[str, str] = {}
    for name in set(data) - set(SESSION_FIELDS):
        errors[name] = "This field is not part of a session."
    client_id = client_uuid(data.get("client_id"))
    if client_id is None:
        errors["client_id"] = "Give a UUID made on this device."
    slug = data.get("routine_slug")
    if not isinstance(slug, str) or not routine_visible(slug[:80]):
        errors["routine_slug"] = "Choose a routine you can see."
    started = _session_instant(data.get("started_at"), "started_at", errors)
    ended = _session_instant(data.get("ended_at"), "ended_at", errors)
    if started and ended and ended < started:
        errors["ended_at"] = "The end cannot come before the start."
    completed = _step_count(data.get("steps_completed"), "steps_completed", errors)
    total = _step_count(data.get("steps_total"), "steps_total", errors)
    if total == 0:
        errors["steps_total"] = "A session has at least one step."
    elif completed is not None and total is not None and completed > total:
        errors["steps_completed"] = "Cannot be more than steps_total."
    values = {
        "client_id": client_id,
        "routine_slug": slug,
        "started_at": started,
        "ended_at": ended,
        "steps_completed": completed,
        "steps_total": total,
    }
    return values, errors
