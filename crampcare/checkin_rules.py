"""The rules a check-in must meet (SPEC §5), shared by the JSON API and the HTML forms.

Pure: no Flask, no database. `validate_checkin` takes the JSON-shaped input and
returns (values, errors): values are ready for the Checkin model, errors name every
bad field. `from_form` turns a submitted form into that JSON shape first.
"""

import math
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

SEVERITIES = {0: "None", 1: "Mild", 2: "Moderate", 3: "Severe"}
TIMINGS = {
    "during_stretch": "During a stretch",
    "after_stretch": "After stretching",
    "other_exercise": "During other exercise",
    "at_rest": "At rest",
    "night": "At night",
}
AREAS = {"lower_back": "Lower back", "mid_back": "Mid back", "upper_back": "Upper back"}
SIDES = {"": "", "_left": "left", "_right": "right"}
LOCATIONS = {
    area + side: f"{words}, {side_words}" if side_words else words
    for area, words in AREAS.items()
    for side, side_words in SIDES.items()
}
ELECTROLYTES = {
    "sodium": "Sodium (salt)",
    "potassium": "Potassium",
    "magnesium": "Magnesium",
    "calcium": "Calcium",
}
SWEAT = {"light": "Light", "moderate": "Moderate", "heavy": "Heavy"}
# Red flags in three tiers (SPEC §6.1), worded as the form asks them. Old check-ins keep
# their codes: every code ever offered is still here.
EMERGENCY_FLAGS = {
    "saddle_numbness": "Numbness between the legs or around the buttocks",
    "bladder_bowel": (
        "New difficulty starting to pee, not feeling when your bladder or bowel is full,"
        " or losing control of either"
    ),
    "both_legs": "Numbness, tingling or weakness in both legs",
    "chest_pain": "Chest pain, breathlessness, or pain spreading to your arm or jaw",
    "dark_urine": (
        "Brown, cola- or tea-coloured pee after a cramp or a hard workout (not just dark yellow)"
    ),
}
SAME_DAY_FLAGS = {
    "fever": "A fever with the back pain",
    "after_injury": (
        "The pain began after a fall or an injury (after a car crash or a fall from a height,"
        " call your local emergency number now)"
    ),
    "leg_weakness": (
        "Weakness in one leg (if it came on suddenly with a drooping face, a weak arm or"
        " slurred speech, call your local emergency number now: it can be a stroke)"
    ),
    "long_cramp": "A cramp lasted over 10 minutes and did not ease",
    "leg_swelling": "A swollen, red or warm leg",
}
SEE_SOON_FLAGS = {
    "night_pain": "Back pain at night that rest does not ease",
    "weight_loss": "Losing weight without trying",
}
RED_FLAG_TIERS = {
    "emergency": EMERGENCY_FLAGS,
    "same_day": SAME_DAY_FLAGS,
    "see_soon": SEE_SOON_FLAGS,
}
RED_FLAGS = {**EMERGENCY_FLAGS, **SAME_DAY_FLAGS, **SEE_SOON_FLAGS}
# The same flags in a clinician's words, for exports (CSV labels, FHIR displays).
RED_FLAG_CLINICAL = {
    "saddle_numbness": "Saddle anaesthesia",
    "bladder_bowel": "New bladder or bowel dysfunction",
    "both_legs": "Bilateral leg numbness, tingling or weakness",
    "chest_pain": "Chest pain or breathlessness",
    "dark_urine": "Dark (brown or cola-coloured) urine after a cramp or exertion",
    "fever": "Fever with back pain",
    "after_injury": "Onset after a fall or injury",
    "leg_weakness": "Unilateral leg weakness",
    "long_cramp": "Cramp over 10 minutes that did not ease",
    "leg_swelling": "Swollen, red or warm leg",
    "night_pain": "Night pain not eased by rest",
    "weight_loss": "Unintentional weight loss",
}
RED_FLAG_TIER_WORDS = {"emergency": "emergency", "same_day": "same day", "see_soon": "see soon"}
# With osteoporosis even a small fall can break a bone in the spine.
EMERGENCY_WITH_OSTEOPOROSIS = frozenset({"after_injury"})
PAIN_RANGE = (0, 10)
EXERTION_RANGE = (1, 10)
WATER_RANGE = (0, 5000)
NOTES_MAX = 1000
ML_PER_FL_OZ = 29.5735
# Clocks on phones drift; a check-in a day ahead of the server is a mistake, not drift.
FUTURE_TOLERANCE = timedelta(days=1)
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
MAX_ID = 2**63 - 1

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
    if not isinstance(value, str):
        raise _Invalid("Give a UUID made by the client.")
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise _Invalid("Give a UUID made by the client.") from None


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


def _instant(value: Any) -> datetime:
    message = "Give a date and time with its UTC offset, e.g. 2026-03-01T18:05:00+01:00."
    if not isinstance(value, str) or len(value) > 40:
        raise _Invalid(message)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise _Invalid(message) from None
    if parsed.utcoffset() is None:
        raise _Invalid(message)
    return parsed


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
