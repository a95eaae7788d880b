"""Every patient-data URL, walked from the URL map, for every kind of visitor.

New routes in these blueprints are picked up on their own. A rule whose path
parameters cannot be filled with the owner's records must be listed in EXEMPT with a
reason, or the coverage test fails.
"""

import re

from crampcare import create_app
from crampcare.extensions import db

from .conftest import csrf_token
from .records import add_checkin, add_plan, add_session, share_between, signed_in, user_id

BLUEPRINTS = {"checkins", "dashboard", "clinician", "exports", "api", "sharing"}
WRITES = {"POST", "PUT", "PATCH", "DELETE"}
OWNER = "owner@example.com"
MARKER = "owner-only-marker-7d1f"

# Endpoints left out of this walk, each with the reason it is safe to.
EXEMPT: dict[str, str] = {
    "checkins.learn": "general information on cramps, the same for everyone; no patient data",
    "api.csrf_token": "a fresh CSRF token for the caller's own session; no patient data",
    "api.create_plan": (
        "a clinician's write for a shared patient (SPEC §8: 404 without a share, 403 for a"
        " patient, 201 with a share): walked in tests/test_plans.py"
    ),
}

# Which of the owner's records fills a path parameter: by its name, else by the
# path segment before it ("/api/checkins/<int:id>" → a check-in).
FILLERS_BY_NAME = {
    "patient_id": "patient",
    "user_id": "patient",
    "share_id": "share",
    "checkin_id": "checkin",
    "session_id": "session",
    "plan_id": "plan",
}
FILLERS_BY_SEGMENT = {
    "patients": "patient",
    "shares": "share",
    "checkins": "checkin",
    "cramps": "checkin",
    "sessions": "session",
    "plans": "plan",
}
# <converter(arguments):name>, e.g. <int:checkin_id> or <any(week,month):range>.
PARAM = re.compile(r"<(?:(\w+)(?:\(([^)]*)\))?:)?(\w+)>")


def _rules():
    app = create_app({"TESTING": True, "DATABASE_URL": "sqlite://", "SECRET_KEY": "walk"})
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint.split(".")[0] in BLUEPRINTS]
    with app.app_context():
        db.engine.dispose()
    return rules


def filler(rule) -> dict[str, str] | None:
    """Parameter name → kind of the owner's record (or "=value" for a fixed choice).

    None when some parameter cannot be filled: that rule needs an EXEMPT reason.
    """
    kinds = {}
    for match in PARAM.finditer(rule.rule):
        converter, arguments, name = match.group(1) or "default", match.group(2), match.group(3)
        if converter == "any":
            kinds[name] = "=" + arguments.split(",")[0].strip().strip("'\"")
            continue
        before = rule.rule[: match.start()].rstrip("/").rsplit("/", 1)[-1]
        kind = FILLERS_BY_NAME.get(name) or FILLERS_BY_SEGMENT.get(before)
        if converter != "int" or kind is None:
            return None
        kinds[name] = kind
    return kinds


def is_per_record(kinds: dict[str, str]) -> bool:
    """True when the path names one of the owner's records."""
    return any(not kind.startswith("=") for kind in kinds.values())


RULES = _rules()


def test_every_rule_is_walked_or_exempted():
    assert RULES, "no rules found in the patient-data blueprints"
    unfilled = [rule.rule for rule in RULES if filler(rule) is None and rule.endpoint not in EXEMPT]
    assert not unfilled, f"give these a filler or an EXEMPT reason: {unfilled}"
    stale = set(EXEMPT) - {rule.endpoint for rule in RULES}
    assert not stale, f"exempted endpoints that no longer exist: {stale}"


def _request(client, method: str, path: str):
    """Send a request the way the app's own pages would, with the CSRF token."""
    token = csrf_token(client, "/")
    if method == "GET":
        response = client.get(path)
    elif path.startswith("/api/"):
        response = client.open(path, method=method, json={}, headers={"X-CSRFToken": token})
    else:
        response = client.open(path, method=method, data={"csrf_token": token})
    response.close()
    return response


def test_patient_data_answers_only_its_owner(app):
    owner = signed_in(app, OWNER)
    visitors = {
        "another patient": signed_in(app, "other@example.com"),
        "a clinician without a share": signed_in(app, "stranger@example.com", "clinician"),
        "a clinician whose share was revoked": signed_in(app, "former@example.com", "clinician"),
    }
    sharing_clinician = signed_in(app, "doc@example.com", "clinician")
    signed_out = app.test_client()
    records = {
        "patient": user_id(app, OWNER),
        "session": add_session(app, OWNER),
        "share": share_between(app, OWNER, "doc@example.com"),
    }
    records["checkin"] = add_checkin(app, OWNER, notes=MARKER, session_id=records["session"])
    share_between(app, OWNER, "former@example.com", revoked=True)
    # Set by the clinician whose share was revoked: they lose it, the owner keeps it,
    # and the clinician who shares now never had it.
    records["plan"] = add_plan(app, OWNER, "former@example.com")

    failures = []
    walked = 0
    for rule in RULES:
        kinds = filler(rule)
        if rule.endpoint in EXEMPT or kinds is None:
            continue
        values = {
            name: kind[1:] if kind.startswith("=") else records[kind]
            for name, kind in kinds.items()
        }
        path = PARAM.sub(lambda m, values=values: str(values[m.group(3)]), rule.rule)
        is_clinician_page = rule.endpoint.startswith("clinician.")
        per_record = is_per_record(kinds)
        # Outside the clinician pages, a clinician with a share is a stranger too:
        # they read a patient's data only through those pages, and never change it.
        strangers = (
            visitors
            if is_clinician_page
            else {**visitors, "the sharing clinician": sharing_clinician}
        )
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            walked += 1
            label = f"{method} {path}"
            response = _request(signed_out, method, path)
            if path.startswith("/api/"):
                if response.status_code != 401:
                    failures.append(f"{label} signed out: {response.status_code}, not 401")
            elif response.status_code != 302 or "/login" not in response.location:
                failures.append(f"{label} signed out: {response.status_code}, not to /login")
            for who, client in strangers.items():
                response = _request(client, method, path)
                if per_record and response.status_code != 404:
                    failures.append(f"{label} by {who}: {response.status_code}, not 404")
                if not per_record and MARKER in response.get_data(as_text=True):
                    failures.append(f"{label} by {who}: shows the owner's check-in")
            if method == "GET":
                reader = sharing_clinician if is_clinician_page else owner
                response = _request(reader, method, path)
                if not 200 <= response.status_code < 400:
                    failures.append(f"{label} by its reader: {response.status_code}")
    assert walked >= len(RULES)
    assert not failures, "\n".join(failures)


def test_fillers_for_routes_still_to_come():
    from werkzeug.routing import Map, Rule

    rules = Map(
        [
            Rule("/api/checkins/<int:id>", endpoint="api.checkin"),
            Rule("/checkins/<int:checkin_id>/edit", endpoint="checkins.edit"),
            Rule("/dashboard/<any(week, month):period>", endpoint="dashboard.period"),
            Rule("/dashboard/panels/<name>", endpoint="dashboard.panel"),
            Rule("/api/things/<int:id>", endpoint="api.thing"),
        ]
    ).iter_rules()
    found = {rule.endpoint: filler(rule) for rule in rules}
    assert found == {
        "api.checkin": {"id": "checkin"},
        "checkins.edit": {"checkin_id": "checkin"},
        "dashboard.period": {"period": "=week"},
        "dashboard.panel": None,
        "api.thing": None,
    }
    assert not is_per_record(found["dashboard.period"])
