"""Security headers on every HTML response, pages free of inline script and style, 1 MB cap.

The GET routes come from the URL map: every one that needs no parameter, for a
visitor signed out, a patient and a clinician, plus pages that take an id or slug,
and the htmx fragments.
"""

import re

import pytest

from crampcare.seed import seed_routines
from crampcare.static_files import script_hash

from .conftest import make_app
from .records import add_checkin, add_session, share_between, signed_in, user_id

PATIENT = "pat@example.com"
CLINICIAN = "doc@example.com"
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
# The one inline script a page may carry: its import map, allowed by the hash of its text.
IMPORT_MAP = re.compile(r'<script type="importmap">(.*?)</script>', re.DOTALL)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.IGNORECASE)
ONE_MB = 1024 * 1024


@pytest.fixture
def header_app(tmp_path):
    """An app on SQLite with a patient who has data and shares it with a clinician."""
    return make_app(f"sqlite:///{tmp_path / 'headers.sqlite'}")


def policy_of(response) -> dict[str, list[str]]:
    """The Content-Security-Policy as directive → its sources."""
    header = response.headers.get("Content-Security-Policy", "")
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def problems_of(label: str, response) -> list[str]:
    """What is wrong with one HTML response's headers and body."""
    found = []
    policy = policy_of(response)
    expected = {
        "default-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
    }
    for name, sources in expected.items():
        if policy.get(name) != sources:
            found.append(f"{label}: CSP {name} is {policy.get(name)}")
    for name in ("script-src", "style-src"):
        if "'unsafe-inline'" in policy.get(name, ["'unsafe-inline'"]):
            found.append(f"{label}: CSP {name} allows inline code or is missing")
    if any("'unsafe-eval'" in sources for sources in policy.values()):
        found.append(f"{label}: CSP allows eval")
    if response.headers.get("X-Content-Type-Options") != "nosniff":
        found.append(f"{label}: no X-Content-Type-Options: nosniff")
    if not response.headers.get("Referrer-Policy"):
        found.append(f"{label}: no Referrer-Policy")
    body = response.get_data(as_text=True)
    for source in IMPORT_MAP.findall(body):
        if script_hash(source) not in policy.get("script-src", []):
            found.append(f"{label}: the CSP does not allow the page's import map")
    for attributes in SCRIPT_TAG.findall(body):
        is_data = re.search(r"""type\s*=\s*["']application/json["']""", attributes)
        if "src=" not in attributes and not is_data and attributes != ' type="importmap"':
            found.append(f"{label}: an inline <script{attributes}>")
    if STYLE_ATTRIBUTE.search(body):
        found.append(f"{label}: a style= attribute")
    if "hx-on" in body:
        found.append(f"{label}: an hx-on attribute")
    return found


def plain_get_paths(app) -> list[str]:
    """Every GET rule that needs no parameter (static files are not pages)."""
    return sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in (rule.methods or set()) and not rule.arguments and rule.endpoint != "static"
    )


def test_every_html_response_carries_the_security_headers(header_app):
    app = header_app
    patient = signed_in(app, PATIENT)
    clinician = signed_in(app, CLINICIAN, "clinician")
    share_between(app, PATIENT, CLINICIAN)
    session_id = add_session(app, PATIENT)
    checkin_id = add_checkin(app, PATIENT, session_id=session_id)
    patient_id = user_id(app, PATIENT)
    visitors = {"signed out": app.test_client(), "patient": patient, "clinician": clinician}
    with_parameters = {
        "patient": [
            "/routines/gentle-lower-back-release",
            "/routines/gentle-lower-back-release/play",
            f"/checkins/new?session={session_id}",
            f"/checkins/{checkin_id}/edit",
            f"/dashboard/checkins/{checkin_id}",
            f"/dashboard/checkins/{checkin_id}/edit",
            "/export/me/report",
            "/nowhere",
        ],
        "clinician": [
            f"/clinician/patients/{patient_id}",
            f"/clinician/patients/{patient_id}/report",
        ],
    }
    with app.app_context():
        seed_routines()
    failures, html_seen = [], 0
    for who, client in visitors.items():
        for path in plain_get_paths(app) + with_parameters.get(who, []):
            for fragment in (False, True):
                headers = {"HX-Request": "true"} if fragment else {}
                response = client.get(path, headers=headers)
                # Exports stream inside their context: close each, as a server does.
                response.close()
                if response.mimetype != "text/html":
                    continue
                html_seen += 1
                label = f"GET {path} ({who}{', htmx' if fragment else ''})"
                failures += problems_of(label, response)
    assert html_seen > 40, html_seen
    assert not failures, "\n".join(failures)


def test_the_policy_allows_the_htmx_cdn_for_scripts_only(client):
    policy = policy_of(client.get("/"))
    htmx = "https://cdn.jsdelivr.net/npm/htmx.org@2.0.11/dist/htmx.min.js"
    # The one file, not the whole CDN host; and the page's import map by its hash.
    assert policy["script-src"][:2] == ["'self'", htmx]
    assert [source[:8] for source in policy["script-src"][2:]] == ["'sha256-"]
    assert all(htmx not in sources for name, sources in policy.items() if name != "script-src")


def test_a_form_post_over_one_megabyte_is_refused(client):
    page = client.get("/login")
    token = re.search(r'name="csrf-token" content="([^"]+)"', page.get_data(as_text=True))[1]
    response = client.post(
        "/login",
        data={"email": "pat@example.com", "password": "x" * (ONE_MB + 1), "csrf_token": token},
    )
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)


def test_a_json_body_over_one_megabyte_is_refused_in_json(client, auth, app):
    auth.register()
    page = client.get("/checkins/new")
    token = re.search(r'name="csrf-token" content="([^"]+)"', page.get_data(as_text=True))[1]
    body = '{"notes": "' + "x" * ONE_MB + '"}'
    response = client.post(
        "/api/checkins",
        data=body,
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 413
    assert response.mimetype == "application/json"
    assert "request" in response.get_json()["errors"]
    assert client.get("/api/checkins").get_json()["items"] == []
