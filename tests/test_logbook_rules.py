"""The check-in rules (SPEC §5), field by field, for the JSON API and the forms."""

from datetime import UTC, datetime

import pytest

from crampcare.logbook.rules import from_form, validate_checkin

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
CLIENT_ID = "0b6f3b55-8a4a-4c0e-9d4e-7d2b8c1f1a10"


def valid(**changes) -> dict:
    """A complete, valid JSON check-in with some fields changed."""
    body = {
        "client_id": CLIENT_ID,
        "session_id": 4,
        "recorded_at": "2026-03-01T18:05:00+01:00",
        "cramp_severity": 2,
        "cramp_timing": "after_stretch",
        "cramp_locations": ["lower_back_left", "mid_back"],
        "pain": 4,
        "water_ml": 750,
        "electrolytes": ["sodium"],
        "sweat": "heavy",
        "exertion": 7,
        "red_flags": [],
        "notes": "Tight after the cat-cow.",
    }
    body.update(changes)
    return body


def check(body, **kwargs):
    return validate_checkin(body, now=NOW, **kwargs)


def test_a_valid_checkin_becomes_model_values():
    values, errors = check(valid())
    assert errors == {}
    assert values["recorded_at"] == datetime(2026, 3, 1, 17, 5, tzinfo=UTC)
    assert values["recorded_offset_minutes"] == 60
    assert values["cramp_locations"] == ["lower_back_left", "mid_back"]
    assert "recorded_at" in values and "id" not in values


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("client_id", "not-a-uuid"),
        ("client_id", 12),
        ("client_id", None),
        ("session_id", "4"),
        ("session_id", True),
        ("session_id", 0),
        ("recorded_at", "2026-03-01T18:05:00"),
        ("recorded_at", "yesterday"),
        ("recorded_at", 1772384700),
        ("recorded_at", None),
        ("recorded_at", "2026-03-05T18:05:00+00:00"),
        ("recorded_at", "1999-12-31T23:00:00+00:00"),
        ("cramp_severity", True),
        ("cramp_severity", "2"),
        ("cramp_severity", 4),
        ("cramp_severity", -1),
        ("cramp_severity", 1.5),
        ("cramp_severity", None),
        ("cramp_timing", "morning"),
        ("cramp_timing", 3),
        ("cramp_locations", "lower_back"),
        ("cramp_locations", ["lower_back", "neck"]),
        ("cramp_locations", ["lower_back_middle"]),
        ("cramp_locations", [1]),
        ("pain", 11),
        ("pain", -1),
        ("pain", "3"),
        ("pain", False),
        ("water_ml", 5001),
        ("water_ml", -5),
        ("water_ml", 500.5),
        ("water_ml", "500"),
        ("electrolytes", ["zinc"]),
        ("electrolytes", "sodium"),
        ("sweat", "dripping"),
        ("sweat", ""),
        ("exertion", 0),
        ("exertion", 11),
        ("exertion", "7"),
        ("red_flags", ["headache"]),
        ("red_flags", {"fever": True}),
        ("notes", "x" * 1001),
        ("notes", 42),
    ],
)
def test_a_bad_field_is_named_and_nothing_is_returned(field, value):
    values, errors = check(valid(**{field: value}))
    assert set(errors) == {field}
    assert errors[field]
    assert values == {}


@pytest.mark.parametrize("field", ["client_id", "recorded_at", "cramp_severity"])
def test_a_required_field_may_not_be_missing(field):
    body = valid()
    del body[field]
    _, errors = check(body)
    assert errors == {field: "This is required."}


@pytest.mark.parametrize(
    "field", ["session_id", "pain", "water_ml", "sweat", "exertion", "notes", "cramp_locations"]
)
def test_optional_fields_may_be_left_out(field):
    body = valid()
    del body[field]
    values, errors = check(body)
    assert errors == {}
    assert values.get(field) in (None, [])


def test_a_cramp_needs_its_timing():
    for timing in (None, "missing"):
        body = valid(cramp_timing=timing)
        if timing == "missing":
            del body["cramp_timing"]
        _, errors = check(body)
        assert errors == {"cramp_timing": "Say when the cramp came."}


def test_no_cramp_clears_timing_and_places():
    values, errors = check(valid(cramp_severity=0))
    assert errors == {}
    assert values["cramp_timing"] is None
    assert values["cramp_locations"] == []


def test_unknown_fields_are_named_each():
    _, errors = check(valid(mood="fine", id=3))
    assert errors == {"mood": "Unknown field.", "id": "Unknown field."}


def test_every_bad_field_is_reported_at_once():
    _, errors = check(valid(pain=12, sweat="lots", notes=None, water_ml=-1, colour="red"))
    assert set(errors) == {"pain", "sweat", "water_ml", "colour"}


def test_list_repeats_are_dropped_and_order_made_canonical():
    values, _ = check(valid(electrolytes=["magnesium", "sodium", "magnesium"]))
    assert values["electrolytes"] == ["sodium", "magnesium"]


def test_the_boundaries_are_accepted():
    values, errors = check(valid(pain=0, water_ml=5000, exertion=10, notes="y" * 1000))
    assert errors == {}
    values, errors = check(valid(pain=10, water_ml=0, exertion=1, cramp_severity=3))
    assert errors == {}


def test_blank_notes_are_stored_as_none():
    values, _ = check(valid(notes="   "))
    assert values["notes"] is None


def test_a_patch_changes_only_what_it_names():
    current, _ = check(valid())
    values, errors = check({"water_ml": 1000}, current=current)
    assert errors == {}
    assert values["water_ml"] == 1000
    assert values["cramp_timing"] == "after_stretch"


def test_a_patch_to_a_cramp_needs_a_timing():
    current, _ = check(valid(cramp_severity=0))
    _, errors = check({"cramp_severity": 1}, current=current)
    assert errors == {"cramp_timing": "Say when the cramp came."}


def test_a_patch_cannot_change_the_client_id():
    current, _ = check(valid())
    _, errors = check({"client_id": "1b6f3b55-8a4a-4c0e-9d4e-7d2b8c1f1a10"}, current=current)
    assert set(errors) == {"client_id"}


def test_a_missing_time_takes_the_default_time():
    body = valid()
    del body["recorded_at"]
    default = datetime.fromisoformat("2026-03-01T09:00:00-05:00")
    values, errors = check(body, default_time=default)
    assert errors == {}
    assert values["recorded_offset_minutes"] == -300


def form(**fields) -> dict[str, list[str]]:
    """Submitted form fields: every value a list of strings, as a browser sends them."""
    base = {
        "csrf_token": ["t"],
        "client_id": [CLIENT_ID],
        "recorded_at": [""],
        "cramp_severity": ["1"],
        "cramp_timing": ["night"],
        "pain": [""],
        "water_ml": ["250"],
        "sweat": [""],
        "exertion": ["6"],
        "notes": [""],
        "water_unit": ["ml"],
    }
    base.update(fields)
    return base


def test_a_form_becomes_the_json_shape():
    data, errors = from_form(form(electrolytes=["sodium", "calcium"]))
    assert errors == {}
    assert data["cramp_severity"] == 1 and data["water_ml"] == 250 and data["exertion"] == 6
    assert data["pain"] is None and data["sweat"] is None and data["notes"] is None
    assert data["electrolytes"] == ["sodium", "calcium"] and data["red_flags"] == []
    assert "csrf_token" not in data and "water_unit" not in data


@pytest.mark.parametrize(
    ("field", "value"),
    [("cramp_severity", "bad"), ("water_ml", "12.5"), ("pain", "eleven"), ("exertion", "0")],
)
def test_bad_form_numbers_are_named_by_the_rules(field, value):
    data, errors = from_form(form(**{field: [value]}))
    _, rule_errors = validate_checkin(data, now=NOW)
    assert field in {**rule_errors, **errors}


@pytest.mark.parametrize(
    ("ounces", "ml", "error"),
    [
        ("8.5", 251, False),
        ("16.9", 500, False),
        ("0", 0, False),
        ("170", None, True),
        ("a", None, True),
    ],
)
def test_fluid_ounces_are_converted_to_ml(ounces, ml, error):
    data, errors = from_form(form(water_ml=[ounces]), units="floz")
    assert data["water_ml"] == ml
    assert ("water_ml" in errors) is error
