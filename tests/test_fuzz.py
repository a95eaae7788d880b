"""Every form and JSON endpoint under arbitrary input: no 5xx, nothing saved on a refusal.

Hypothesis sends wrong types, huge and negative numbers, any Unicode (NUL and lone
surrogates included where JSON can carry them), empty strings, missing, extra and
nested fields. For every request:

- the answer is never a server error (with TESTING on, an exception in a view would
  fail the example outright);
- a refusal (a 4xx, or a form shown again with its errors) changes no row of any
  table — the one exception, counted explicitly, is the audit row of a failed sign-in;
- an accepted request's stored values read back equal to what was answered.

These run on SQLite only (one app per test function, its examples sharing it), to
stay fast; the rules they exercise are the same code on PostgreSQL.
"""

import json
import string
import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from crampcare import vocabulary
from crampcare.extensions import db, limiter
from crampcare.models import (
    AuditEvent,
    Checkin,
    Routine,
    Step,
    User,
    WorkoutSession,
)
from crampcare.routine_library import AREAS, DIFFICULTIES

from .conftest import PASSWORD, Auth, csrf_token, examples, make_app
from .records import row_counts

FUZZ = settings(
    max_examples=examples(60),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
PATIENT = "fuzz@example.com"
LIBRARY_SLUG = "gentle-lower-back-release"
CLINICIAN = "doc@example.com"

# --- What to send ---------------------------------------------------------------

# Any code point, lone surrogates included: JSON escapes them as \udXXX.
any_char = st.characters(codec=None, exclude_categories=())
any_text = st.text(any_char, max_size=30)
# Form fields travel URL-encoded as UTF-8, which cannot carry a lone surrogate.
form_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | any_text
)
# "Anything JSON": scalars, and lists and objects of anything JSON.
any_json = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(any_text, inner, max_size=4),
    max_leaves=8,
)
offsets = st.integers(-14 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m)))
plausible_instants = st.builds(
    lambda moment, zone: moment.replace(tzinfo=UTC).astimezone(zone).isoformat(),
    st.datetimes(min_value=datetime(2000, 1, 2), max_value=datetime(2026, 1, 1)),
    offsets,
)
instants = plausible_instants | st.datetimes().map(lambda d: d.isoformat()) | any_text


def subsets(options) -> st.SearchStrategy:
    """Lists drawn from the allowed options, repeats and order left to chance."""
    return st.lists(st.sampled_from(sorted(options)), max_size=4)


A_CHECKIN = {
    "client_id": "6f1c2a4e-9b1d-4e43-a7c3-0c2f4e5d6a7b",
    "recorded_at": "2025-03-01T18:05:00+01:00",
    "cramp_severity": 2,
    "cramp_timing": "after_stretch",
    "cramp_locations": ["lower_back_left"],
    "notes": "after deadlifts",
}
CHECKIN_REQUIRED = ("client_id", "recorded_at", "cramp_severity", "cramp_timing")
# Plausible values per check-in field, so that many bodies are accepted too.
CHECKIN_VALUES = {
    "client_id": st.uuids().map(str),
    "session_id": st.none() | st.integers(min_value=-5, max_value=2**64),
    "recorded_at": instants,
    "cramp_severity": st.integers(-1, 4),
    "cramp_timing": st.none() | st.sampled_from(sorted(vocabulary.TIMINGS)),
    "cramp_locations": subsets(vocabulary.LOCATIONS),
    "pain": st.none() | st.integers(-1, 11),
    "water_ml": st.none() | st.integers(-1, 5001),
    "electrolytes": subsets(vocabulary.ELECTROLYTES),
    "sweat": st.none() | st.sampled_from(sorted(vocabulary.SWEAT)),
    "exertion": st.none() | st.integers(0, 11),
    "red_flags": subsets(vocabulary.RED_FLAGS),
    "notes": st.none() | any_text | st.text(max_size=1100),
}


def plausible(values: dict[str, st.SearchStrategy], required=()) -> st.SearchStrategy:
    """The known fields only, each with a plausible value: many of these are accepted."""
    optional = {name: strategy for name, strategy in values.items() if name not in required}
    return st.fixed_dictionaries({name: values[name] for name in required}, optional=optional)


def json_bodies(values: dict[str, st.SearchStrategy], required=()) -> st.SearchStrategy:
    """Plausible objects, or each known field missing, plausible or anything, plus extras."""
    fields = {name: st.one_of(strategy, any_json) for name, strategy in values.items()}
    mixed = st.builds(
        lambda chosen, extra: {**extra, **chosen},
        st.fixed_dictionaries({}, optional=fields),
        st.dictionaries(any_text, any_json, max_size=2),
    )
    return plausible(values, required) | mixed


def form_bodies(values: dict[str, st.SearchStrategy], required=()) -> st.SearchStrategy:
    """Plausible forms, or each field missing, plausible or any text (or several), plus extras."""
    as_text = {
        name: st.one_of(strategy, form_text, st.lists(form_text, max_size=3))
        for name, strategy in values.items()
    }
    mixed = st.builds(
        lambda chosen, extra: {**extra, **chosen},
        st.fixed_dictionaries({}, optional=as_text),
        st.dictionaries(form_text, form_text, max_size=2),
    )
    return plausible(values, required) | mixed


def numbers(low: int, high: int) -> st.SearchStrategy:
    """Whole numbers as form text: mostly in range, else just past an end, or any size."""
    in_range = st.integers(low, high).map(str)
    return (
        in_range | in_range | st.sampled_from([low - 1, high + 1]).map(str) | st.integers().map(str)
    )


CHECKIN_FORM = {
    "client_id": st.uuids().map(str),
    "recorded_at": plausible_instants | st.just(""),
    "cramp_severity": numbers(0, 3),
    "cramp_timing": st.sampled_from(["", *vocabulary.TIMINGS]),
    "cramp_locations": subsets(vocabulary.LOCATIONS),
    "pain": numbers(0, 10) | st.just(""),
    "water_ml": numbers(0, 5000) | st.just(""),
    "electrolytes": subsets(vocabulary.ELECTROLYTES),
    "sweat": st.sampled_from(["", *vocabulary.SWEAT]),
    "exertion": numbers(1, 10) | st.just(""),
    "red_flags": subsets(vocabulary.RED_FLAGS),
    "notes": form_text | st.text(max_size=1100),
}

# --- The app under test ---------------------------------------------------------


@pytest.fixture
def fuzz_app(tmp_path):
    """One app on SQLite (only) for all of a test's examples; the sign-in limits raised."""
    app = make_app(
        f"sqlite:///{tmp_path / 'fuzz.sqlite'}",
        seeded=True,
        LOGIN_LIMIT_PER_ADDRESS="100000 per minute",
        LOGIN_LIMIT_PER_ACCOUNT="100000 per minute",
    )
    with app.app_context():
        limiter.reset()
    return app


def signed_in(app, email: str = PATIENT, role: str = "patient"):
    """A client with a new account of this role, signed in, and its CSRF token."""
    client = app.test_client()
    assert Auth(client).register(email=email, role=role).status_code == 303
    return client, csrf_token(client, "/")


def changed(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    """The tables whose row count moved, and by how much."""
    return {name: after[name] - before[name] for name in before if after[name] != before[name]}


def send_json(client, token: str, method: str, path: str, body):
    """Send a body as JSON text; lone surrogates go as \\udXXX escapes."""
    return client.open(
        path,
        method=method,
        data=json.dumps(body),
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )


def assert_refused_json(response):
    """A 4xx in the API's error shape, naming at least one field."""
    assert 400 <= response.status_code < 500, response.status_code
    errors = response.get_json()["errors"]
    assert errors and all(isinstance(message, str) for message in errors.values())


def stored_checkin(app, checkin_id: int) -> dict:
    """A check-in as it reads back from the database, in its JSON shape."""
    with app.app_context():
        record = db.session.get(Checkin, checkin_id)
        found = None if record is None else json.loads(app.json.dumps(record.to_dict()))
        db.session.remove()
    return found


def user_row(app, email: str) -> dict:
    """The stored profile and password hash of an account."""
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        row = {
            "timezone": user.timezone,
            "units": user.units,
            "takes_diuretics": user.takes_diuretics,
            "conditions": list(user.conditions or []),
            "password_hash": user.password_hash,
        }
        db.session.remove()
    return row


# --- JSON endpoints -------------------------------------------------------------


def test_post_checkins(fuzz_app):
    client, token = signed_in(fuzz_app)
    seen = {"accepted": 0, "refused": 0}

    @FUZZ
    @given(body=json_bodies(CHECKIN_VALUES, CHECKIN_REQUIRED) | any_json)
    @example(body=A_CHECKIN)
    @example(body=A_CHECKIN)  # the same again: a replay answers the stored one
    def post(body):
        before = row_counts(fuzz_app)
        response = send_json(client, token, "POST", "/api/checkins", body)
        after = row_counts(fuzz_app)
        if response.status_code in (200, 201):
            seen["accepted"] += 1
            answered = response.get_json()
            assert stored_checkin(fuzz_app, answered["id"]) == answered
            assert answered["cramp_severity"] == body["cramp_severity"]
            assert answered["client_id"] == str(uuid.UUID(body["client_id"]))
            expected = {"checkins": 1} if response.status_code == 201 else {}
            assert changed(before, after) == expected
        else:
            seen["refused"] += 1
            assert_refused_json(response)
            assert changed(before, after) == {}

    post()
    assert seen["accepted"] and seen["refused"], seen


def test_patch_checkin(fuzz_app):
    client, token = signed_in(fuzz_app)
    created = send_json(
        client,
        token,
        "POST",
        "/api/checkins",
        {"client_id": str(uuid.uuid4()), "recorded_at": "2025-06-01T08:00:00+02:00"}
        | {"cramp_severity": 1, "cramp_timing": "after_stretch", "water_ml": 400},
    ).get_json()
    path = f"/api/checkins/{created['id']}"
    patchable = {name: s for name, s in CHECKIN_VALUES.items() if name != "client_id"}

    @FUZZ
    @given(body=json_bodies(patchable) | any_json)
    def patch(body):
        before, stored = row_counts(fuzz_app), stored_checkin(fuzz_app, created["id"])
        response = send_json(client, token, "PATCH", path, body)
        assert changed(before, row_counts(fuzz_app)) == {}
        if response.status_code == 200:
            answered = response.get_json()
            assert stored_checkin(fuzz_app, created["id"]) == answered
            for name in ("pain", "water_ml", "sweat", "exertion"):
                assert answered[name] == body.get(name, stored[name])
        else:
            assert_refused_json(response)
            assert stored_checkin(fuzz_app, created["id"]) == stored

    patch()


def test_raw_bodies_to_the_json_api(fuzz_app):
    client, token = signed_in(fuzz_app)

    @FUZZ
    @given(
        path=st.sampled_from(["/api/checkins", "/api/sessions", "/api/shares/redeem"]),
        raw=st.binary(max_size=200) | any_text.map(lambda t: t.encode("utf-8", "surrogatepass")),
        content_type=st.sampled_from(["application/json", "text/plain", ""]),
    )
    def post(path, raw, content_type):
        limiter.reset()
        before = row_counts(fuzz_app)
        response = client.post(
            path, data=raw, content_type=content_type, headers={"X-CSRFToken": token}
        )
        assert_refused_json(response)
        assert changed(before, row_counts(fuzz_app)) == {}

    post()


A_SESSION = {
    "client_id": "0b8e3c1d-2f4a-4b6c-8d9e-1a2b3c4d5e6f",
    "routine_slug": LIBRARY_SLUG,
    "started_at": "2025-03-01T18:00:00+01:00",
    "ended_at": "2025-03-01T18:08:00+01:00",
    "steps_completed": 5,
    "steps_total": 6,
}
SESSION_VALUES = {
    "client_id": st.uuids().map(str),
    "routine_slug": st.sampled_from([LIBRARY_SLUG, "no-such-routine"]),
    "started_at": instants,
    "ended_at": instants,
    "steps_completed": st.integers(-1, 1001),
    "steps_total": st.integers(-1, 1001),
}


def test_post_sessions(fuzz_app):
    client, token = signed_in(fuzz_app)
    slugs = {LIBRARY_SLUG}
    with fuzz_app.app_context():
        assert db.session.scalar(select(Routine.id).where(Routine.slug.in_(slugs)))
    seen = {"accepted": 0}

    @FUZZ
    @given(body=json_bodies(SESSION_VALUES, SESSION_VALUES) | any_json)
    @example(body=A_SESSION)
    def post(body):
        before = row_counts(fuzz_app)
        response = send_json(client, token, "POST", "/api/sessions", body)
        after = row_counts(fuzz_app)
        if response.status_code in (200, 201):
            seen["accepted"] += 1
            answered = response.get_json()
            with fuzz_app.app_context():
                stored = db.session.get(WorkoutSession, answered["id"]).to_dict()
                db.session.remove()
            assert stored == answered
            assert answered["steps_total"] == body["steps_total"]
            assert datetime.fromisoformat(answered["started_at"]) == datetime.fromisoformat(
                body["started_at"]
            )
            assert changed(before, after) == (
                {"sessions": 1} if response.status_code == 201 else {}
            )
        else:
            assert_refused_json(response)
            assert changed(before, after) == {}

    post()
    assert seen["accepted"]


def test_redeem_share_json(fuzz_app):
    patient, patient_token = signed_in(fuzz_app)
    clinician, token = signed_in(fuzz_app, CLINICIAN, "clinician")

    def fresh_code():
        return send_json(patient, patient_token, "POST", "/api/shares", {}).get_json()["code"]

    codes = [fresh_code() for _ in range(3)]

    @FUZZ
    @given(
        body=json_bodies({"code": st.sampled_from(codes) | st.sampled_from(codes).map(str.lower)})
        | any_json
    )
    def redeem(body):
        # Redeem attempts are limited per clinician; the limit is not what is fuzzed.
        limiter.reset()
        before = row_counts(fuzz_app)
        response = send_json(clinician, token, "POST", "/api/shares/redeem", body)
        after = row_counts(fuzz_app)
        if response.status_code == 200:
            assert response.get_json()["patient_id"]
            assert changed(before, after) == {"audit_events": 1}
        else:
            assert_refused_json(response)
            assert changed(before, after) == {}

    redeem()


def test_list_checkins_by_dates(fuzz_app):
    client, token = signed_in(fuzz_app)
    for day in (1, 15, 28):
        body = {"client_id": str(uuid.uuid4()), "recorded_at": f"2025-02-{day:02d}T12:00:00Z"}
        send_json(client, token, "POST", "/api/checkins", body | {"cramp_severity": 0})
    url_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=30)
    bounds = (
        st.dates().map(str)
        | st.datetimes(timezones=offsets).map(lambda d: d.isoformat())
        | st.datetimes().map(lambda d: d.isoformat())
        | url_text
    )

    @FUZZ
    @given(query=st.fixed_dictionaries({}, optional={"since": bounds, "until": bounds}))
    def listing(query):
        before = row_counts(fuzz_app)
        response = client.get("/api/checkins", query_string=query)
        assert changed(before, row_counts(fuzz_app)) == {}
        if response.status_code != 200:
            assert_refused_json(response)
            assert set(response.get_json()["errors"]) <= {"since", "until"}
            return
        instants = [datetime.fromisoformat(i["recorded_at"]) for i in response.get_json()["items"]]
        assert instants == sorted(instants, reverse=True)

    listing()


# --- HTML forms -----------------------------------------------------------------


def form_post(client, path: str, token: str, fields: dict):
    """Post a form with its CSRF token, as the page would."""
    return client.post(path, data={**fields, "csrf_token": token})


def assert_refused_form(response):
    """The form again with its errors (200), or a 4xx: never a redirect or 5xx."""
    assert response.status_code == 200 or 400 <= response.status_code < 500, response.status_code


REGISTER_FORM = {
    "email": st.emails().map(str.lower) | st.just("") | st.just(PATIENT.upper()),
    "password": st.text(min_size=8, max_size=12) | st.text(max_size=140),
    "role": st.sampled_from(["patient", "clinician", "admin", ""]),
    "timezone": st.sampled_from(["UTC", "Europe/Berlin", "Mars/Olympus", ""]),
}


def test_register_form(fuzz_app):
    signed_in(fuzz_app)  # PATIENT exists: registering it again must be refused.

    @settings(FUZZ, max_examples=examples(40))
    @given(fields=form_bodies(REGISTER_FORM, REGISTER_FORM))
    def register(fields):
        client = fuzz_app.test_client()
        token = csrf_token(client, "/register")
        before = row_counts(fuzz_app)
        with fuzz_app.app_context():
            sent = fields.get("email")
            email = User.normalise_email(sent) if isinstance(sent, str) else None
            existing = email and db.session.scalar(select(User).where(User.email == email))
            taken = existing and existing.email_confirmed
            waiting = existing and not existing.email_confirmed
            db.session.remove()
        response = form_post(client, "/register", token, fields)
        after = row_counts(fuzz_app)
        if response.status_code == 303:
            # Every registration lands on the same page, and none signs in.
            assert response.headers["Location"] == "/register/check-email"
        if response.status_code == 303 and taken:
            # The same answer as for a new address (it must not tell), and nothing stored.
            assert changed(before, after) == {}
        elif response.status_code == 303:
            # A new account, or one nobody confirmed yet taken over by the newest form.
            grown = {"audit_events": 1} if waiting else {"users": 1, "audit_events": 1}
            assert changed(before, after) == grown
            with fuzz_app.app_context():
                user = db.session.scalar(select(User).where(User.email == email))
                assert user.email_confirmed_at is None
                assert user.email == User.normalise_email(fields["email"])
                assert user.role == fields["role"]
                assert user.timezone == (fields.get("timezone") or "UTC")
                assert user.check_password(fields["password"])
                db.session.remove()
        else:
            assert_refused_form(response)
            assert changed(before, after) == {}

    register()


def _filled(text) -> bool:
    """What DataRequired counts as given: some non-space character."""
    return isinstance(text, str) and bool(text.strip())


def test_login_form(fuzz_app):
    signed_in(fuzz_app)
    login_values = {
        "email": st.sampled_from([PATIENT, PATIENT.upper(), "nobody@example.com", ""]),
        "password": st.sampled_from([PASSWORD, "wrong password", ""]),
        "remember": st.sampled_from(["y", ""]),
    }

    @settings(FUZZ, max_examples=examples(40))
    @given(fields=form_bodies(login_values, ("email", "password")))
    def login(fields):
        client = fuzz_app.test_client()
        token = csrf_token(client, "/login")
        before = row_counts(fuzz_app)
        response = form_post(client, "/login", token, fields)
        after = row_counts(fuzz_app)
        if response.status_code == 303:
            assert fields["password"] == PASSWORD
            assert changed(before, after) == {"login_sessions": 1, "audit_events": 1}
            return
        assert_refused_form(response)
        # A failed sign-in is itself an audit event: the one row a refusal may add.
        email, password = fields.get("email"), fields.get("password")
        if isinstance(email, list):
            email = email[0] if email else None
        if isinstance(password, list):
            password = password[0] if password else None
        attempted = response.status_code == 200 and _filled(email) and _filled(password)
        assert changed(before, after) == ({"audit_events": 1} if attempted else {})
        if attempted:
            with fuzz_app.app_context():
                last = db.session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()))
                assert last.action == "login_failed"
                db.session.remove()

    login()


PROFILE_FORM = {
    "timezone": st.sampled_from(["UTC", "Europe/Berlin", "America/St_Johns", "Nowhere/Else", ""]),
    "units": st.sampled_from(["ml", "floz", "gallons", ""]),
    "takes_diuretics": st.sampled_from(["y", ""]),
    "conditions": subsets(["kidney", "thyroid", "diabetes", "nerve", "hormone", "flu"]),
}


def test_profile_form(fuzz_app):
    client, token = signed_in(fuzz_app)

    @FUZZ
    @given(fields=form_bodies(PROFILE_FORM, ("timezone", "units")))
    def profile(fields):
        before, stored = row_counts(fuzz_app), user_row(fuzz_app, PATIENT)
        response = form_post(client, "/account", token, fields)
        assert changed(before, row_counts(fuzz_app)) == {}
        now = user_row(fuzz_app, PATIENT)
        if response.status_code == 303:
            # A field left out keeps its stored value (as WTForms fills from the record).
            assert now["timezone"] == (_one(fields.get("timezone")) or stored["timezone"])
            assert now["units"] == _one(fields["units"])
            assert now["takes_diuretics"] == bool(fields.get("takes_diuretics"))
            conditions = fields.get("conditions", [])
            conditions = [conditions] if isinstance(conditions, str) else conditions
            assert sorted(now["conditions"]) == sorted(conditions)
        else:
            assert_refused_form(response)
            assert now == stored

    profile()


def test_password_form(fuzz_app):
    client, token = signed_in(fuzz_app)
    known = {"password": PASSWORD}
    new_passwords = st.text(min_size=10, max_size=20) | st.text(max_size=140)

    @settings(FUZZ, max_examples=examples(25))
    @given(
        fields=form_bodies(
            {
                "current_password": st.sampled_from(["current", "wrong password!"]),
                "new_password": new_passwords,
            },
            ("current_password", "new_password"),
        )
    )
    def change(fields):
        if fields.get("current_password") == "current":
            fields["current_password"] = known["password"]
        before, stored = row_counts(fuzz_app), user_row(fuzz_app, PATIENT)
        response = form_post(client, "/account/password", token, fields)
        after = row_counts(fuzz_app)
        if response.status_code == 303:
            assert changed(before, after) == {"audit_events": 1}
            known["password"] = fields["new_password"]
            with fuzz_app.app_context():
                user = db.session.scalar(select(User).where(User.email == PATIENT))
                assert user.check_password(known["password"])
                db.session.remove()
        else:
            assert_refused_form(response)
            assert changed(before, after) == {}
            assert user_row(fuzz_app, PATIENT) == stored

    change()


def _newest_checkin(app) -> dict | None:
    with app.app_context():
        newest = db.session.scalar(select(Checkin.id).order_by(Checkin.id.desc()))
        db.session.remove()
    return None if newest is None else stored_checkin(app, newest)


@pytest.mark.parametrize("path", ["/checkins/new", "/cramps/new"])
def test_new_checkin_forms(fuzz_app, path):
    client, token = signed_in(fuzz_app)
    seen = {"accepted": 0}

    @FUZZ
    @given(fields=form_bodies(CHECKIN_FORM, CHECKIN_REQUIRED))
    @example(fields={**A_CHECKIN, "cramp_severity": "1", "water_ml": "250", "notes": " sore "})
    def post(fields):
        before = row_counts(fuzz_app)
        response = form_post(client, path, token, fields)
        after = row_counts(fuzz_app)
        if response.status_code == 303:
            seen["accepted"] += 1
            assert changed(before, after) in ({"checkins": 1}, {})
            stored = _newest_checkin(fuzz_app)
            if changed(before, after):
                assert stored["client_id"] == str(uuid.UUID(fields["client_id"]))
                assert stored["cramp_severity"] == int(fields["cramp_severity"])
                notes = fields.get("notes", "")
                notes = notes[-1] if isinstance(notes, list) and notes else notes
                assert stored["notes"] == ((notes or "").strip() or None)
        else:
            assert_refused_form(response)
            assert changed(before, after) == {}

    post()
    assert seen["accepted"]


def test_edit_checkin_form(fuzz_app):
    client, token = signed_in(fuzz_app)
    checkin_id = send_json(
        client,
        token,
        "POST",
        "/api/checkins",
        {"client_id": str(uuid.uuid4()), "recorded_at": "2025-06-01T08:00:00+02:00"}
        | {"cramp_severity": 0},
    ).get_json()["id"]
    editable = {name: s for name, s in CHECKIN_FORM.items() if name != "client_id"}

    @FUZZ
    @given(fields=form_bodies(editable))
    def edit(fields):
        before, stored = row_counts(fuzz_app), stored_checkin(fuzz_app, checkin_id)
        response = form_post(client, f"/checkins/{checkin_id}/edit", token, fields)
        assert changed(before, row_counts(fuzz_app)) == {}
        if response.status_code != 303:
            assert_refused_form(response)
            assert stored_checkin(fuzz_app, checkin_id) == stored
        elif isinstance(fields.get("cramp_severity"), str):
            now = stored_checkin(fuzz_app, checkin_id)
            assert now["cramp_severity"] == int(fields["cramp_severity"])

    edit()


ROUTINE_FORM = {
    "title": form_text | st.text(min_size=118, max_size=122),
    "summary": form_text | st.text(min_size=298, max_size=302),
    "difficulty": st.sampled_from([*DIFFICULTIES, "extreme", ""]),
    "area": st.sampled_from([*AREAS, "neck", ""]),
}
TIMES = {"hold_seconds": "20", "reps": "2", "rest_seconds": "5", "cue": ""}
STEP_FORM = {
    "title": st.sampled_from(["Cat-cow", "", " "]) | form_text,
    "instructions": st.just("Knees under hips.") | form_text | st.text(min_size=999, max_size=1001),
    "hold_seconds": numbers(1, 600),
    "reps": numbers(1, 20),
    "side": st.sampled_from(["none", "left", "right", "both", "middle", ""]),
    "rest_seconds": numbers(0, 300),
    "cue": form_text,
}


def _one(value):
    """The value a single-valued field reads from a submitted value or list of values."""
    if isinstance(value, list):
        return value[0] if value else None
    return value


def test_new_routine_form(fuzz_app):
    client, token = signed_in(fuzz_app)

    @FUZZ
    @given(fields=form_bodies(ROUTINE_FORM, ROUTINE_FORM))
    def new(fields):
        before = row_counts(fuzz_app)
        response = form_post(client, "/routines/new", token, fields)
        after = row_counts(fuzz_app)
        if response.status_code == 303:
            assert changed(before, after) == {"routines": 1}
            slug = response.location.rsplit("/", 2)[-2]
            with fuzz_app.app_context():
                routine = db.session.scalar(select(Routine).where(Routine.slug == slug))
                assert routine.title == _one(fields["title"])
                assert routine.difficulty == (_one(fields.get("difficulty")) or "gentle")
                assert routine.area == _one(fields["area"])
                db.session.remove()
        else:
            assert_refused_form(response)
            assert changed(before, after) == {}

    new()


def test_add_step_form(fuzz_app):
    client, token = signed_in(fuzz_app)
    made = form_post(client, "/routines/new", token, {"title": "Mine", "area": "lower"})
    slug = made.location.rsplit("/", 2)[-2]
    seen = {"accepted": 0}

    @FUZZ
    @given(fields=form_bodies(STEP_FORM, STEP_FORM))
    @example(fields={"title": "Cat-cow", "instructions": "Slowly.", "side": "both"} | TIMES)
    def add(fields):
        before = row_counts(fuzz_app)
        response = form_post(client, f"/routines/{slug}/steps", token, fields)
        after = row_counts(fuzz_app)
        if response.status_code == 303:
            seen["accepted"] += 1
            assert changed(before, after) == {"steps": 1}
            with fuzz_app.app_context():
                step = db.session.scalar(select(Step).order_by(Step.id.desc()))
                assert step.title == _one(fields["title"])
                assert step.hold_seconds == int(_one(fields["hold_seconds"]))
                assert step.side == _one(fields["side"])
                db.session.remove()
        else:
            assert_refused_form(response)
            assert changed(before, after) == {}

    add()
    assert seen["accepted"]


def test_redeem_form(fuzz_app):
    patient, patient_token = signed_in(fuzz_app)
    clinician, token = signed_in(fuzz_app, CLINICIAN, "clinician")
    codes = [
        send_json(patient, patient_token, "POST", "/api/shares", {}).get_json()["code"]
        for _ in range(3)
    ]
    code_text = (
        st.sampled_from(codes)
        | st.sampled_from(codes).map(lambda c: f" {c[:4].lower()}-{c[4:]} ")
        | st.text(string.ascii_uppercase + string.digits, max_size=25)
    )

    @FUZZ
    @given(fields=form_bodies({"code": code_text}))
    def redeem(fields):
        limiter.reset()  # attempts per clinician are limited; the limit is not fuzzed here
        before = row_counts(fuzz_app)
        response = form_post(clinician, "/clinician/patients/redeem", token, fields)
        after = row_counts(fuzz_app)
        if response.status_code == 303:
            assert changed(before, after) == {"audit_events": 1}
            assert "/clinician/patients/" in response.location
        else:
            assert_refused_form(response)
            assert changed(before, after) == {}

    redeem()
