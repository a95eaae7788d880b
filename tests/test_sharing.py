"""Share codes: made by patients, redeemed once by clinicians, revoked at once, audited."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from crampcare import shares
from crampcare.extensions import db
from crampcare.models import AuditEvent, Share, utcnow

from .conftest import csrf_token
from .records import add_checkin, signed_in, user_id

pytestmark = pytest.mark.postgres

PATIENT = "pat@example.com"
DOCTOR = "doc@example.com"


def make_code(client) -> dict:
    """Make a share code through the API."""
    response = client.post("/api/shares", headers={"X-CSRFToken": csrf_token(client, "/")})
    assert response.status_code == 201
    return response.get_json()


def redeem(client, code):
    """Redeem a code through the API."""
    return client.post(
        "/api/shares/redeem",
        json={"code": code},
        headers={"X-CSRFToken": csrf_token(client, "/")},
    )


def test_codes_use_eight_characters_without_look_alikes():
    codes = {shares.new_code() for _ in range(500)}
    assert len(codes) == 500
    assert all(re.fullmatch(f"[{shares.ALPHABET}]{{8}}", code) for code in codes)
    assert not set("0O1IL5S2Z8B") & set(shares.ALPHABET)


def test_patient_makes_a_code_that_expires_in_seven_days(app):
    patient = signed_in(app, PATIENT)
    body = make_code(patient)
    assert set(body) == {"id", "code", "expires_at"}
    with app.app_context():
        share = db.session.get(Share, body["id"])
        assert share.code == body["code"]
        left = share.expires_at - utcnow()
        assert timedelta(days=6, hours=23) < left <= timedelta(days=7)
    assert body["code"] in patient.get("/sharing").get_data(as_text=True)


def test_a_clinician_cannot_make_a_code(app):
    doctor = signed_in(app, DOCTOR, role="clinician")
    response = doctor.post("/api/shares", headers={"X-CSRFToken": csrf_token(doctor, "/")})
    assert response.status_code == 403
    assert "role" in response.get_json()["errors"]


def test_a_code_redeems_once_and_ignores_case(app):
    patient = signed_in(app, PATIENT)
    doctor = signed_in(app, DOCTOR, role="clinician")
    other = signed_in(app, "other-doc@example.com", role="clinician")
    code = make_code(patient)["code"]

    response = redeem(doctor, code.lower())
    assert response.status_code == 200
    assert response.get_json() == {"patient_id": user_id(app, PATIENT)}
    again = redeem(other, code)
    assert again.status_code == 400
    assert set(again.get_json()["errors"]) == {"code"}
    assert redeem(doctor, code).status_code == 400


def test_an_expired_code_fails_like_any_other(app):
    patient = signed_in(app, PATIENT)
    doctor = signed_in(app, DOCTOR, role="clinician")
    body = make_code(patient)
    with app.app_context():
        db.session.get(Share, body["id"]).expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    expired = redeem(doctor, body["code"]).get_json()
    unknown = redeem(doctor, "ACDEFGHJ").get_json()
    assert expired == unknown
    with app.app_context():
        assert db.session.get(Share, body["id"]).clinician_id is None


def test_patients_cannot_redeem_codes_not_even_their_own(app):
    patient = signed_in(app, PATIENT)
    other = signed_in(app, "other@example.com")
    code = make_code(patient)["code"]
    assert redeem(patient, code).status_code == 400
    assert redeem(other, code).status_code == 400
    with app.app_context():
        assert db.session.scalar(select(Share.redeemed_at)) is None


def test_bad_bodies_name_the_code(app):
    doctor = signed_in(app, DOCTOR, role="clinician")
    for body in ({}, {"code": 12345678}, {"code": ""}):
        response = redeem(doctor, body.get("code"))
        assert response.status_code == 400
        assert "code" in response.get_json()["errors"]


def test_revoking_ends_access_at_once(app):
    patient = signed_in(app, PATIENT)
    doctor = signed_in(app, DOCTOR, role="clinician")
    add_checkin(app, PATIENT)
    body = make_code(patient)
    patient_id = redeem(doctor, body["code"]).get_json()["patient_id"]
    page = f"/clinician/patients/{patient_id}"
    assert doctor.get(page).status_code == 200

    token = csrf_token(patient, "/sharing")
    assert DOCTOR in patient.get("/sharing").get_data(as_text=True)
    response = patient.delete(f"/api/shares/{body['id']}", headers={"X-CSRFToken": token})
    assert response.status_code == 204
    assert doctor.get(page).status_code == 404
    assert doctor.get(f"{page}/export.csv").status_code == 404
    assert PATIENT not in doctor.get("/clinician/patients").get_data(as_text=True)


def test_revoke_through_the_page_form(app):
    patient = signed_in(app, PATIENT)
    doctor = signed_in(app, DOCTOR, role="clinician")
    body = make_code(patient)
    patient_id = redeem(doctor, body["code"]).get_json()["patient_id"]
    response = patient.post(
        f"/sharing/{body['id']}/revoke", data={"csrf_token": csrf_token(patient, "/sharing")}
    )
    assert response.status_code == 303
    assert doctor.get(f"/clinician/patients/{patient_id}").status_code == 404
    assert "Nobody else can see your data." in patient.get("/sharing").get_data(as_text=True)


def test_only_the_owner_revokes_a_share(app):
    patient = signed_in(app, PATIENT)
    other = signed_in(app, "other@example.com")
    body = make_code(patient)
    token = csrf_token(other, "/")
    assert (
        other.delete(f"/api/shares/{body['id']}", headers={"X-CSRFToken": token}).status_code == 404
    )
    assert other.delete("/api/shares/9999", headers={"X-CSRFToken": token}).status_code == 404
    with app.app_context():
        assert db.session.get(Share, body["id"]).revoked_at is None


def test_the_page_form_makes_a_code_and_the_clinician_form_redeems_it(app):
    patient = signed_in(app, PATIENT)
    doctor = signed_in(app, DOCTOR, role="clinician")
    response = patient.post("/sharing/codes", data={"csrf_token": csrf_token(patient, "/sharing")})
    assert response.status_code == 303
    with app.app_context():
        code = db.session.scalar(select(Share.code))
    token = csrf_token(doctor, "/clinician/patients")
    wrong = doctor.post("/clinician/patients/redeem", data={"code": "XXXX", "csrf_token": token})
    assert wrong.status_code == 400
    assert shares.UNUSABLE in wrong.get_data(as_text=True)
    typed = f"{code[:4].lower()} {code[4:]}"
    right = doctor.post("/clinician/patients/redeem", data={"code": typed, "csrf_token": token})
    assert right.status_code == 303
    assert PATIENT in doctor.get("/clinician/patients").get_data(as_text=True)


def test_views_and_exports_are_audited_and_shown_to_the_patient(app):
    patient = signed_in(app, PATIENT, tz="Asia/Tokyo")
    doctor = signed_in(app, DOCTOR, role="clinician")
    body = make_code(patient)
    patient_id = redeem(doctor, body["code"]).get_json()["patient_id"]
    doctor.get(f"/clinician/patients/{patient_id}")
    doctor.get(f"/clinician/patients/{patient_id}/export.csv").close()

    with app.app_context():
        rows = db.session.execute(
            select(AuditEvent.action, func.count())
            .where(AuditEvent.subject_id == patient_id, AuditEvent.actor_id == user_id(app, DOCTOR))
            .group_by(AuditEvent.action)
        ).all()
        latest = db.session.scalar(select(func.max(AuditEvent.at)))
    assert dict(rows) == {"share_redeemed": 1, "clinician_view": 1, "clinician_export": 1}

    page = patient.get("/sharing").get_data(as_text=True)
    log = page[page.index("Audit log") :]
    assert log.count(DOCTOR) == 3
    assert "Viewed your data" in log and "Exported your data" in log and "Signed in" not in log
    assert "Created the account" in log
    tokyo = latest.astimezone(ZoneInfo("Asia/Tokyo"))
    assert f"{tokyo:%H:%M}" in log


def test_sign_ins_appear_in_the_log(app, client, auth):
    auth.register(email=PATIENT)
    auth.logout()
    auth.login(email=PATIENT)
    page = client.get("/sharing").get_data(as_text=True)
    assert "Signed in" in page[page.index("Audit log") :]


def test_guessing_codes_is_rate_limited(app):
    doctor = signed_in(app, DOCTOR, role="clinician")
    token = csrf_token(doctor, "/")
    answers = [
        doctor.post(
            "/api/shares/redeem", json={"code": "ACDEFGHJ"}, headers={"X-CSRFToken": token}
        ).status_code
        for _ in range(11)
    ]
    assert answers == [400] * 10 + [429]
    page = doctor.post("/clinician/patients/redeem", data={"code": "X", "csrf_token": token})
    assert page.status_code == 429


def test_every_look_at_a_shared_dashboard_is_audited(app):
    from .records import share_between

    signed_in(app, PATIENT)
    doctor = signed_in(app, DOCTOR, role="clinician")
    first = add_checkin(app, PATIENT, notes="Older note")
    share_between(app, PATIENT, DOCTOR)
    base = f"/clinician/patients/{user_id(app, PATIENT)}"
    htmx = {"HX-Request": "true"}
    assert doctor.get(base).status_code == 200
    assert doctor.get(f"{base}?range=90", headers=htmx).status_code == 200
    older = doctor.get(f"{base}?before={first + 1}", headers=htmx)
    assert older.status_code == 200
    assert doctor.get(f"{base}?before={10**30}", headers=htmx).status_code == 200
    with app.app_context():
        details = db.session.scalars(
            select(AuditEvent.detail)
            .where(AuditEvent.action == "clinician_view")
            .order_by(AuditEvent.id)
        ).all()
    # An id past what a record can have is no cursor: the newest range panels answer.
    assert details == [
        "Viewed your dashboard",
        "Viewed 90 days",
        "Viewed older check-ins",
        "Viewed 28 days",
    ]


def test_a_clinician_reads_times_in_the_patients_day(app):
    from .records import share_between

    signed_in(app, PATIENT, tz="Australia/Sydney")
    doctor = signed_in(app, DOCTOR, role="clinician", tz="America/New_York")
    at = (utcnow() - timedelta(days=1)).replace(hour=15, minute=30, second=0, microsecond=0)
    add_checkin(app, PATIENT, recorded_at=at, notes="night")
    share_between(app, PATIENT, DOCTOR)
    page = doctor.get(f"/clinician/patients/{user_id(app, PATIENT)}").get_data(as_text=True)
    in_sydney = at.astimezone(ZoneInfo("Australia/Sydney"))
    in_new_york = at.astimezone(ZoneInfo("America/New_York"))
    assert f", {in_sydney:%H:%M}" in page
    assert f", {in_new_york:%H:%M}" not in page


def test_revoking_a_clinician_asks_first_without_javascript(app):
    patient = signed_in(app, PATIENT)
    doctor = signed_in(app, DOCTOR, role="clinician")
    body = make_code(patient)
    patient_id = redeem(doctor, body["code"]).get_json()["patient_id"]
    page = patient.get("/sharing").get_data(as_text=True)
    # The page's Revoke is a link to a confirm step, not a one-tap form.
    assert f'<a class="button small danger" href="/sharing/{body["id"]}/revoke">Revoke' in page
    confirm = patient.get(f"/sharing/{body['id']}/revoke")
    text = confirm.get_data(as_text=True)
    assert confirm.status_code == 200
    assert f"Stop sharing with {DOCTOR}?" in text
    assert f'<form method="post" action="/sharing/{body["id"]}/revoke">' in text
    assert "Keep sharing" in text and 'href="/sharing"' in text
    # Asking changes nothing; only the confirm form's POST revokes.
    assert doctor.get(f"/clinician/patients/{patient_id}").status_code == 200
    other = signed_in(app, "other@example.com")
    assert other.get(f"/sharing/{body['id']}/revoke").status_code == 404


def test_a_waiting_code_can_be_copied_or_shared(app):
    patient = signed_in(app, PATIENT)
    body = make_code(patient)
    page = patient.get("/sharing").get_data(as_text=True)
    actions = re.search(r"<div class=\"share-actions\" hidden data-share-actions[^>]*>", page)
    assert f'data-code="{body["code"]}"' in actions.group(0)
    assert f"My CrampCare share code is {body['code']}." in actions.group(0)
    assert "data-copy-code" in page and "data-share-code hidden" in page
    assert 'role="status" aria-live="polite" data-share-feedback' in page
    assert "js/share_code.js" in page
