"""Deleting an account erases every row that belongs to it, and nothing else."""

import uuid

import pytest
from sqlalchemy import func, select

from crampcare.extensions import db
from crampcare.models import AuditEvent, Routine, Step, User

from .conftest import PASSWORD, Auth, csrf_token
from .records import add_checkin, add_session, share_between, signed_in, user_id

pytestmark = pytest.mark.postgres

PATIENT = "pat@example.com"
OTHER = "other@example.com"
DOCTOR = "doc@example.com"


def add_routine(app, email: str) -> None:
    """A routine of the user's own with two steps."""
    with app.app_context():
        routine = Routine(
            slug=f"own-{uuid.uuid4().hex[:8]}", owner_id=user_id(app, email), title="Mine"
        )
        routine.steps = [Step(position=n, title=f"Step {n}", hold_seconds=30) for n in range(2)]
        db.session.add(routine)
        db.session.commit()


def rows_of(app, uid: int) -> dict[str, int]:
    """How many rows of each table point at a user, steps of their routines included."""
    counts = {}
    with app.app_context():
        for table in db.metadata.sorted_tables:
            for column in table.columns:
                if any(fk.column.table.name == "users" for fk in column.foreign_keys):
                    key = f"{table.name}.{column.name}"
                    counts[key] = db.session.scalar(
                        select(func.count()).select_from(table).where(column == uid)
                    )
        counts["users"] = db.session.scalar(select(func.count()).where(User.id == uid))
        counts["steps"] = db.session.scalar(
            select(func.count(Step.id)).join(Routine).where(Routine.owner_id == uid)
        )
    return counts


def fill(app) -> None:
    """A patient with everything an account can have, and others around them."""
    for email in (PATIENT, OTHER):
        session_id = add_session(app, email)
        add_checkin(app, email, session_id=session_id)
        add_checkin(app, email, notes="Ärger")
        add_routine(app, email)
        share_between(app, email, DOCTOR)
    share_between(app, PATIENT, DOCTOR, revoked=True)


def delete(client, password):
    """Post the deletion form."""
    token = csrf_token(client, "/account")
    return client.post("/account/delete", data={"password": password, "csrf_token": token})


def test_a_wrong_password_deletes_nothing(app):
    patient = signed_in(app, PATIENT)
    signed_in(app, OTHER)
    signed_in(app, DOCTOR, "clinician")
    fill(app)
    before = rows_of(app, user_id(app, PATIENT))
    response = delete(patient, "not my password at all")
    assert response.status_code == 200
    assert "nothing was deleted" in response.get_data(as_text=True)
    assert rows_of(app, user_id(app, PATIENT)) == before
    assert patient.get("/sharing").status_code == 200


def test_the_right_password_erases_every_row_of_the_user(app):
    patient = signed_in(app, PATIENT)
    Auth(app.test_client()).login(email=PATIENT)  # a second device
    signed_in(app, OTHER)
    doctor = signed_in(app, DOCTOR, "clinician")
    fill(app)
    doctor.get(f"/clinician/patients/{user_id(app, PATIENT)}")
    patient_id, other_id, doctor_id = (user_id(app, e) for e in (PATIENT, OTHER, DOCTOR))
    before = rows_of(app, patient_id)
    assert before["checkins.user_id"] == 2 and before["steps"] == 2
    assert before["login_sessions.user_id"] == 2 and before["shares.patient_id"] == 2
    assert before["audit_events.subject_id"] >= 3
    others_before = (rows_of(app, other_id), rows_of(app, doctor_id))

    response = delete(patient, PASSWORD)
    assert response.status_code == 303
    assert response.location.endswith("/login")
    after = rows_of(app, patient_id)
    assert set(after.values()) == {0}, after
    assert rows_of(app, other_id) == others_before[0]
    # The clinician keeps the account and the other patient's share; only the rows
    # about the deleted patient went (its view of them was audited with them as subject).
    doctor_after = rows_of(app, doctor_id)
    assert doctor_after == {
        **others_before[1],
        "shares.clinician_id": 1,
        "audit_events.actor_id": others_before[1]["audit_events.actor_id"] - 1,
    }
    assert patient.get("/sharing").status_code == 302
    assert Auth(app.test_client()).login(email=PATIENT).status_code == 200  # no such account


def test_a_deleted_clinician_leaves_the_patients_log_readable(app):
    patient = signed_in(app, PATIENT)
    doctor = signed_in(app, DOCTOR, "clinician")
    share_between(app, PATIENT, DOCTOR)
    doctor.get(f"/clinician/patients/{user_id(app, PATIENT)}")
    assert delete(doctor, PASSWORD).status_code == 303
    with app.app_context():
        view = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "clinician_view"))
        assert view.subject_id is not None and view.actor_id is None
    page = patient.get("/sharing").get_data(as_text=True)
    assert "by a deleted account" in page
    assert "Nobody else can see your data." in page
