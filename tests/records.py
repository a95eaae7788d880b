"""Records made straight in the database, for tests of pages that read them."""

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from crampcare.extensions import db
from crampcare.models import Checkin, Plan, Routine, Share, Step, User, WorkoutSession, utcnow

from .conftest import PASSWORD, Auth


def row_counts(app) -> dict[str, int]:
    """How many rows each table of the schema holds."""
    with app.app_context():
        counts = {
            table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables
        }
        db.session.remove()
    return counts


def every_row(app) -> dict[str, list[tuple]]:
    """Every row of every table of the schema, in a stable order."""
    with app.app_context():
        rows = {
            table.name: sorted((tuple(row) for row in db.session.execute(select(table))), key=repr)
            for table in db.metadata.sorted_tables
        }
        db.session.remove()
    return rows


def user_id(app, email: str) -> int:
    """The id of the account with this email."""
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.email == email))


def add_session(app, email: str, started_at: datetime | None = None) -> int:
    """A finished session of a user; returns its id."""
    started_at = started_at or utcnow() - timedelta(hours=1)
    with app.app_context():
        session = WorkoutSession(
            user_id=user_id(app, email),
            client_id=str(uuid.uuid4()),
            routine_slug="gentle-lower-back",
            started_at=started_at,
            ended_at=started_at + timedelta(minutes=8),
            steps_completed=6,
            steps_total=6,
        )
        db.session.add(session)
        db.session.commit()
        return session.id


def add_checkin(app, email: str, **values) -> int:
    """A check-in of a user (a mild cramp after stretching unless told); returns its id."""
    fields = {
        "client_id": str(uuid.uuid4()),
        "recorded_at": utcnow() - timedelta(minutes=30),
        "cramp_severity": 1,
        "cramp_timing": "after_stretch",
        "cramp_locations": ["lower_back"],
        "water_ml": 300,
        "electrolytes": [],
        "sweat": "moderate",
        "exertion": 6,
        "red_flags": [],
        "notes": "",
    }
    fields.update(values)
    with app.app_context():
        checkin = Checkin(user_id=user_id(app, email), **fields)
        db.session.add(checkin)
        db.session.commit()
        return checkin.id


def share_between(app, patient: str, clinician: str, revoked: bool = False) -> int:
    """A redeemed share from a patient to a clinician; returns its id."""
    now = datetime.now(UTC)
    with app.app_context():
        share = Share(
            patient_id=user_id(app, patient),
            clinician_id=user_id(app, clinician),
            code=uuid.uuid4().hex[:8].upper(),
            expires_at=now + timedelta(days=7),
            redeemed_at=now,
            revoked_at=now if revoked else None,
        )
        db.session.add(share)
        db.session.commit()
        return share.id


def signed_in(app, email: str, role: str = "patient", tz: str = "UTC"):
    """A new client with a new account of its own, signed in."""
    client = app.test_client()
    response = Auth(client).register(email=email, password=PASSWORD, role=role, tz=tz)
    assert response.status_code == 303, response.get_data(as_text=True)
    return client


def add_plan(app, patient: str, clinician: str, sessions_per_week: int = 3) -> int:
    """A home programme a clinician set for a patient, on a small library routine; its id."""
    patient_id, clinician_id = user_id(app, patient), user_id(app, clinician)
    with app.app_context():
        routine = db.session.scalar(select(Routine).where(Routine.slug == "plan-test-routine"))
        if routine is None:
            routine = Routine(slug="plan-test-routine", title="Plan test routine")
            routine.steps = [Step(position=0, title="Knee hug", hold_seconds=20)]
            db.session.add(routine)
        plan = Plan(
            patient_id=patient_id,
            clinician_id=clinician_id,
            routine=routine,
            sessions_per_week=sessions_per_week,
            note="",
        )
        db.session.add(plan)
        db.session.commit()
        return plan.id
