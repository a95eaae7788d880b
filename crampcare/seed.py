"""Seeding: the routine library and the demo accounts."""

import secrets
from datetime import timedelta

from sqlalchemy import delete, func, select

from . import demo, plans
from .extensions import db
from .models import Plan, Routine, Share, Step, User, utcnow
from .routine_library import LIBRARY, RoutineSpec

DEMO_PATIENT = "demo.patient@crampcare.test"
DEMO_CLINICIAN = "demo.clinician@crampcare.test"
DEMO_NAMES = {"patient": "Rosa Delgado", "clinician": "Sam Okafor (physiotherapist)"}
DEMO_PLAN_ROUTINE = "gentle-lower-back-release"


def _step_values(step) -> tuple:
    # Cautions are a tuple in the library and a JSON list in the database: compare as lists.
    return tuple(
        list(getattr(step, name)) if name == "cautions" else getattr(step, name)
        for name in Step.STEP_FIELDS
    )


def _steps_of(spec: RoutineSpec) -> list[tuple]:
    return [_step_values(step) for step in spec.steps]


def seed_routines() -> tuple[int, int]:
    """Bring the library routines in the database in line with the code; return (added, updated)."""
    added = updated = 0
    for spec in LIBRARY:
        routine = db.session.scalar(select(Routine).where(Routine.slug == spec.slug))
        if routine is None:
            routine = Routine(slug=spec.slug)
            db.session.add(routine)
            added += 1
        elif (routine.title, routine.summary, routine.difficulty, routine.area) == (
            spec.title,
            spec.summary,
            spec.difficulty,
            spec.area,
        ) and [_step_values(step) for step in routine.steps] == _steps_of(spec):
            continue
        else:
            updated += 1
        routine.owner_id = None
        routine.title, routine.summary = spec.title, spec.summary
        routine.difficulty, routine.area = spec.difficulty, spec.area
        routine.steps = [Step.copy_of(step, position) for position, step in enumerate(spec.steps)]
    db.session.commit()
    return added, updated


def make_demo(days: int, only_if_empty: bool = False) -> dict[str, tuple[str, str]] | None:
    """Create a demo patient with history and a clinician they share with; return the logins."""
    if only_if_empty and db.session.scalar(select(func.count(User.id))):
        return None
    password = secrets.token_urlsafe(9)
    logins = {}
    users = {}
    for role, email in (("patient", DEMO_PATIENT), ("clinician", DEMO_CLINICIAN)):
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = User(
                email=email, role=role, timezone="Europe/London", display_name=DEMO_NAMES[role]
            )
            db.session.add(user)
        user.set_password(password)
        user.confirm_email()  # made by the operator, who owns these addresses
        users[role] = user
        logins[role] = (email, password)
    db.session.flush()
    now = utcnow()
    patient = users["patient"]
    demo.replace_history(patient.id, patient.timezone, days, now)
    already_shared = db.session.scalar(
        select(Share.id).where(
            Share.patient_id == users["patient"].id,
            Share.clinician_id == users["clinician"].id,
            Share.revoked_at.is_(None),
        )
    )
    if already_shared is None:
        db.session.add(
            Share(
                patient=users["patient"],
                clinician=users["clinician"],
                code=secrets.token_hex(4).upper(),
                expires_at=now + timedelta(days=7),
                redeemed_at=now,
            )
        )
    _demo_plan(patient, users["clinician"])
    db.session.commit()
    return logins


def _demo_plan(patient: User, clinician: User) -> None:
    """The demo clinician's home programme for the demo patient: three gentle sessions a week."""
    db.session.execute(delete(Plan).where(Plan.patient_id == patient.id))
    routine = db.session.scalar(select(Routine).where(Routine.slug == DEMO_PLAN_ROUTINE))
    if routine is None:
        return
    plan = plans.set_plan(
        patient,
        clinician,
        routine,
        sessions_per_week=3,
        note="Three times a week, after work. Ease off if a stretch brings on a cramp.",
    )
    # Set three weeks ago, so its weeks have a story to tell.
    plan.created_at = utcnow() - timedelta(weeks=3)
