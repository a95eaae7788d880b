"""Home programmes: who may set, read and remove a plan, and adherence by Monday week."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from fhir.resources.R4B.bundle import Bundle
from sqlalchemy import event, select

from crampcare import plans
from crampcare.extensions import db
from crampcare.models import AuditEvent, Plan, Routine, Share, Step, WorkoutSession, utcnow
from crampcare.seed import seed_routines

from .conftest import csrf_token
from .records import add_checkin, add_session, share_between, signed_in, user_id

PATIENT = "pat@example.com"
DOCTOR = "doc@example.com"
OTHER = "other-doc@example.com"
ROUTINE = "gentle-lower-back-release"


@pytest.fixture
def people(app):
    """A patient sharing with DOCTOR, and OTHER, a clinician they do not share with."""
    with app.app_context():
        seed_routines()
    patient = signed_in(app, PATIENT)
    doctor = signed_in(app, DOCTOR, role="clinician")
    other = signed_in(app, OTHER, role="clinician")
    share_between(app, PATIENT, DOCTOR)
    return patient, doctor, other


def post_plan(client, patient_id, **body):
    """POST a plan through the JSON API."""
    body = {"routine_slug": ROUTINE, "sessions_per_week": 3, "note": "Slowly."} | body
    return client.post(
        f"/api/patients/{patient_id}/plans",
        json=body,
        headers={"X-CSRFToken": csrf_token(client, "/")},
    )


def delete_plan(client, plan_id):
    """DELETE a plan through the JSON API."""
    return client.delete(f"/api/plans/{plan_id}", headers={"X-CSRFToken": csrf_token(client, "/")})


def test_a_clinician_with_a_share_sets_a_plan_the_patient_reads(app, people):
    patient, doctor, _ = people
    response = post_plan(doctor, user_id(app, PATIENT))
    assert response.status_code == 201
    body = response.get_json()
    assert body["routine_slug"] == ROUTINE and body["sessions_per_week"] == 3
    items = patient.get("/api/plans").get_json()["items"]
    assert [item["id"] for item in items] == [body["id"]]
    assert set(items[0]) >= {
        "id",
        "routine_slug",
        "sessions_per_week",
        "note",
        "clinician",
        "done_this_week",
    }
    assert items[0]["clinician"] == DOCTOR
    assert items[0]["done_this_week"] == 0
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "plan_set" in actions


def test_a_patient_cannot_set_a_plan_and_a_clinician_has_no_plans_to_read(app, people):
    patient, doctor, _ = people
    assert post_plan(patient, user_id(app, PATIENT)).status_code == 403
    assert doctor.get("/api/plans").status_code == 403


def test_without_a_share_the_patient_is_not_found(app, people):
    _, _, other = people
    response = post_plan(other, user_id(app, PATIENT))
    assert response.status_code == 404
    with app.app_context():
        assert db.session.scalar(select(Plan.id)) is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"sessions_per_week": 0}, "sessions_per_week"),
        ({"sessions_per_week": 15}, "sessions_per_week"),
        ({"sessions_per_week": "three"}, "sessions_per_week"),
        ({"sessions_per_week": True}, "sessions_per_week"),
        ({"note": "x" * 501}, "note"),
        ({"note": 5}, "note"),
        ({"routine_slug": "no-such-routine"}, "routine_slug"),
    ],
)
def test_bad_fields_are_named_and_nothing_is_saved(app, people, body, field):
    _, doctor, _ = people
    response = post_plan(doctor, user_id(app, PATIENT), **body)
    assert response.status_code == 400
    assert set(response.get_json()["errors"]) == {field}
    with app.app_context():
        assert db.session.scalar(select(Plan.id)) is None


def test_another_clinician_cannot_delete_it_and_the_patient_can(app, people):
    patient, doctor, other = people
    plan_id = post_plan(doctor, user_id(app, PATIENT)).get_json()["id"]
    assert delete_plan(other, plan_id).status_code == 404
    share_between(app, PATIENT, OTHER)
    # Sharing with the other clinician too does not hand them this plan.
    assert delete_plan(other, plan_id).status_code == 404
    assert delete_plan(patient, plan_id).status_code == 204
    assert patient.get("/api/plans").get_json()["items"] == []
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "plan_removed" in actions


def test_the_clinician_who_set_it_deletes_it(app, people):
    patient, doctor, _ = people
    plan_id = post_plan(doctor, user_id(app, PATIENT)).get_json()["id"]
    assert delete_plan(doctor, plan_id).status_code == 204
    assert delete_plan(doctor, plan_id).status_code == 404


def test_after_a_revoke_the_clinician_loses_the_plan_and_the_patient_keeps_it(app, people):
    patient, doctor, _ = people
    patient_id = user_id(app, PATIENT)
    plan_id = post_plan(doctor, patient_id).get_json()["id"]
    with app.app_context():
        share = db.session.scalar(select(Share))
        share.revoked_at = utcnow()
        db.session.commit()
    assert delete_plan(doctor, plan_id).status_code == 404
    assert post_plan(doctor, patient_id).status_code == 404
    assert doctor.get(f"/clinician/patients/{patient_id}").status_code == 404
    assert [i["id"] for i in patient.get("/api/plans").get_json()["items"]] == [plan_id]
    assert ROUTINE in patient.get("/").get_data(as_text=True)


def test_a_clinicians_own_routine_becomes_the_patients_copy(app, people):
    patient, doctor, other = people
    doctor_id, patient_id = user_id(app, DOCTOR), user_id(app, PATIENT)
    with app.app_context():
        library = db.session.scalar(select(Routine).where(Routine.slug == ROUTINE))
        own = Routine(owner_id=doctor_id, slug="doc-routine-abc123", title="Doc's routine")
        own.steps = [Step.copy_of(step, n) for n, step in enumerate(library.steps)]
        db.session.add(own)
        db.session.commit()
    # Another clinician cannot set a routine that is not theirs.
    share_between(app, PATIENT, OTHER)
    refused = post_plan(other, user_id(app, PATIENT), routine_slug="doc-routine-abc123")
    assert refused.status_code == 400
    body = post_plan(doctor, user_id(app, PATIENT), routine_slug="doc-routine-abc123").get_json()
    slug = body["routine_slug"]
    assert slug != "doc-routine-abc123" and slug.startswith("doc-s-routine-")
    with app.app_context():
        copy = db.session.scalar(select(Routine).where(Routine.slug == slug))
        library = db.session.scalar(select(Routine).where(Routine.slug == ROUTINE))
        assert copy.owner_id == patient_id
        assert len(copy.steps) == len(library.steps)
    assert patient.get(f"/routines/{slug}/play").status_code == 200


def test_done_this_week_counts_the_plans_routine_from_monday_in_the_patients_zone(app, people):
    patient, doctor, _ = people
    plan_id = post_plan(doctor, user_id(app, PATIENT)).get_json()["id"]
    now = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)  # a Thursday
    monday = datetime(2026, 11, 23, 0, 30, tzinfo=UTC)
    for started in (monday, monday + timedelta(days=2), monday - timedelta(hours=1)):
        add_session(app, PATIENT, started_at=started)
    with app.app_context():
        db.session.execute(Plan.__table__.update().values(created_at=now - timedelta(days=30)))
        db.session.execute(WorkoutSession.__table__.update().values(routine_slug=ROUTINE))
        db.session.commit()
        plan = db.session.get(Plan, plan_id)
        weeks = plans.adherence([plan], [plan.patient], now)[plan_id].weeks
    assert [w.week_start.isoformat() for w in weeks] == [
        "2026-11-02",
        "2026-11-09",
        "2026-11-16",
        "2026-11-23",
    ]
    assert [w.done for w in weeks] == [0, 0, 1, 2]
    assert weeks[-1].planned == 3


def test_the_clinician_sets_a_plan_with_the_page_form(app, people):
    patient, doctor, _ = people
    patient_id = user_id(app, PATIENT)
    page = f"/clinician/patients/{patient_id}"
    form = {"csrf_token": csrf_token(doctor, page), "routine_slug": ROUTINE}
    bad = doctor.post(f"{page}/plans", data=form | {"sessions_per_week": "20"})
    assert bad.status_code == 200
    assert "from 1 to 14" in bad.get_data(as_text=True)
    done = doctor.post(f"{page}/plans", data=form | {"sessions_per_week": "2", "note": "Easy"})
    assert done.status_code == 303
    text = doctor.get(page).get_data(as_text=True)
    assert "0 of 2" in text and "Easy" in text
    fragment = doctor.post(
        f"{page}/plans",
        data=form | {"sessions_per_week": "4"},
        headers={"HX-Request": "true"},
    )
    assert fragment.status_code == 200
    assert "<html" not in fragment.get_data(as_text=True)
    assert "0 of 4" in fragment.get_data(as_text=True)
    home = patient.get("/").get_data(as_text=True)
    assert home.index("Your home programme") < home.index("Stretch now")
    assert f"/routines/{ROUTINE}/play" in home


def statements_of_get(app, client, url: str) -> tuple[int, str]:
    """How many SQL statements a GET of url runs, and the page it answers."""
    statements = []
    with app.app_context():
        engine = db.engine
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        response = client.get(url)
        assert response.status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return len(statements), response.get_data(as_text=True)


def test_the_patient_list_shows_plans_with_a_constant_number_of_queries(app, people):
    _, doctor, _ = people

    def queries_for_list() -> tuple[int, str]:
        return statements_of_get(app, doctor, "/clinician/patients")

    post_plan(doctor, user_id(app, PATIENT))
    add_checkin(app, PATIENT)
    one, text = queries_for_list()
    assert "0 of 3" in text
    for n in range(4):
        email = f"p{n}@example.com"
        signed_in(app, email)
        share_between(app, email, DOCTOR)
        add_checkin(app, email)
        add_session(app, email)
        post_plan(doctor, user_id(app, email), sessions_per_week=n + 1)
    many, text = queries_for_list()
    assert many == one
    assert "0 of 4" in text


def test_the_patient_page_reads_the_weeks_of_all_its_plans_at_once(app, people):
    _, doctor, _ = people
    patient_id = user_id(app, PATIENT)
    page = f"/clinician/patients/{patient_id}"
    post_plan(doctor, patient_id, sessions_per_week=1)
    one, text = statements_of_get(app, doctor, page)
    assert "0 of 1" in text
    for sessions in (2, 3, 4):
        post_plan(doctor, patient_id, sessions_per_week=sessions)
    four, text = statements_of_get(app, doctor, page)
    assert all(f"0 of {sessions}" in text for sessions in (1, 2, 3, 4))
    assert four == one


def test_the_fhir_export_carries_the_plan_as_a_valid_care_plan(app, people):
    patient, doctor, other = people
    patient_id = user_id(app, PATIENT)
    post_plan(doctor, patient_id, sessions_per_week=5)
    add_checkin(app, PATIENT, cramp_locations=["lower_back"])
    for client, path in (
        (patient, "/export/me.fhir.json"),
        (doctor, f"/clinician/patients/{patient_id}/export.fhir.json"),
    ):
        document = json.loads(client.get(path).get_data(as_text=True))
        Bundle.model_validate(document)
        [plan] = [
            e["resource"] for e in document["entry"] if e["resource"]["resourceType"] == "CarePlan"
        ]
        timing = plan["activity"][0]["detail"]["scheduledTiming"]["repeat"]
        assert timing["frequency"] == 5
    # Another clinician sharing later sees the patient, not this clinician's plan.
    share_between(app, PATIENT, OTHER)
    text = other.get(f"/clinician/patients/{patient_id}/export.fhir.json").get_data(as_text=True)
    assert "CarePlan" not in text


def test_the_name_given_on_account_is_what_the_clinician_reads(app, people):
    patient, doctor, _ = people
    long_name = "Maria-Fernanda " + "Delgado-" * 9 + "Fernández"
    form = {
        "display_name": f"  {long_name}  ",
        "timezone": "UTC",
        "units": "ml",
        "csrf_token": csrf_token(patient, "/account"),
    }
    assert patient.post("/account", data=form).status_code == 303
    listing = doctor.get("/clinician/patients").get_data(as_text=True)
    assert long_name in listing and PATIENT in listing
    too_long = form | {"display_name": "x" * 101, "csrf_token": csrf_token(patient, "/account")}
    page = patient.post("/account", data=too_long)
    assert page.status_code == 200 and "100 characters" in page.get_data(as_text=True)
    with app.app_context():
        from crampcare.models import User

        user = db.session.get(User, user_id(app, PATIENT))
        assert user.display_name == long_name and user.name == long_name


def test_the_patient_sees_adherence_on_the_dashboard_and_removes_the_plan(app, people):
    patient, doctor, _ = people
    plan_id = post_plan(doctor, user_id(app, PATIENT), sessions_per_week=2).get_json()["id"]
    # Started now: in this week whatever the day and hour the test runs.
    add_session(app, PATIENT, started_at=utcnow())
    with app.app_context():
        db.session.execute(WorkoutSession.__table__.update().values(routine_slug=ROUTINE))
        db.session.commit()
    page = patient.get("/dashboard").get_data(as_text=True)
    assert "Your home programme" in page and "1 of 2" in page
    assert patient.get("/api/plans").get_json()["items"][0]["done_this_week"] == 1
    removed = patient.post(
        f"/dashboard/plans/{plan_id}/delete", data={"csrf_token": csrf_token(patient, "/dashboard")}
    )
    assert removed.status_code == 303
    assert "Your home programme" not in patient.get("/dashboard").get_data(as_text=True)
    # Without the CSRF token nothing is removed.
    again = post_plan(doctor, user_id(app, PATIENT)).get_json()["id"]
    assert patient.post(f"/dashboard/plans/{again}/delete").status_code == 400
    assert len(patient.get("/api/plans").get_json()["items"]) == 1
