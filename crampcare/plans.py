"""Home programmes: the plan a clinician sets for a shared patient, and how it is kept.

A plan names a routine the patient can play, how many sessions a week, and a short
note. A library routine is used as it is; a routine the clinician built is copied into
a routine of the patient's own when the plan is set, so the patient can play it, keep
it after the share ends, and the clinician's later edits never change it under them.
Adherence counts the patient's sessions of that routine in each Monday-to-Sunday week
of the patient's own calendar.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache

from flask import abort
from sqlalchemy import Select, bindparam, or_, select
from sqlalchemy.orm import joinedload, selectinload

from . import audit, shares
from .extensions import db
from .local_time import local_date, local_day_start, resolve_timezone, week_start, weekly_buckets
from .models import Plan, Routine, Step, User, WorkoutSession, utcnow
from .routines.forms import new_slug

MIN_SESSIONS = 1
MAX_SESSIONS = 14
NOTE_MAX = 500
# Weeks of adherence a plan's history shows, this week included.
HISTORY_WEEKS = 4


@cache
def _plans_of_patient_statement(by_clinician: bool) -> Select:
    """A patient's plans (parameter `patient_id`), newest first, with their routine and
    clinician; only one clinician's (`clinician_id`) when by_clinician. Built once: the
    loader options cost more to build than the query takes to run."""
    query = (
        select(Plan)
        .options(joinedload(Plan.routine), joinedload(Plan.clinician))
        .where(Plan.patient_id == bindparam("patient_id"))
        .order_by(Plan.created_at.desc(), Plan.id.desc())
    )
    if by_clinician:
        query = query.where(Plan.clinician_id == bindparam("clinician_id"))
    return query


def plans_of_patient(patient_id: int, clinician_id: int | None = None) -> Sequence[Plan]:
    """A patient's plans, newest first, with their routine and clinician: all of them, or
    those one clinician set."""
    values = {"patient_id": patient_id}
    if clinician_id is not None:
        values["clinician_id"] = clinician_id
    statement = _plans_of_patient_statement(clinician_id is not None)
    return db.session.scalars(statement, values).unique().all()


def plans_set_by(clinician_id: int, patient_ids: Sequence[int]):
    """Select the plans a clinician set for these patients, newest first."""
    return (
        select(Plan)
        .options(joinedload(Plan.routine))
        .where(Plan.clinician_id == clinician_id, Plan.patient_id.in_(patient_ids))
        .order_by(Plan.created_at.desc(), Plan.id.desc())
    )


def routines_for_plans(clinician_id: int):
    """Select the routines a clinician may set: the library's and the clinician's own."""
    return (
        select(Routine)
        .where(or_(Routine.owner_id.is_(None), Routine.owner_id == clinician_id))
        .order_by(Routine.owner_id.is_(None), Routine.title)
    )


def read_plan(values: dict, clinician: User) -> tuple[dict, dict[str, str]]:
    """Check a plan's fields; (clean values, errors by field name)."""
    errors: dict[str, str] = {}
    clean: dict = {}
    slug = values.get("routine_slug")
    routine = None
    if isinstance(slug, str) and slug:
        routine = db.session.scalar(
            routines_for_plans(clinician.id)
            .where(Routine.slug == slug)
            .options(selectinload(Routine.steps))
        )
    if routine is None:
        errors["routine_slug"] = "Choose a routine from the library or one you built."
    clean["routine"] = routine
    count = values.get("sessions_per_week")
    if isinstance(count, str) and count.strip().isdigit():
        count = int(count.strip())
    if isinstance(count, bool) or not isinstance(count, int):
        errors["sessions_per_week"] = "Enter a whole number of sessions a week."
    elif not MIN_SESSIONS <= count <= MAX_SESSIONS:
        errors["sessions_per_week"] = (
            f"Sessions a week must be from {MIN_SESSIONS} to {MAX_SESSIONS}."
        )
    clean["sessions_per_week"] = count
    note = values.get("note") or ""
    if not isinstance(note, str):
        errors["note"] = "The note must be text."
    elif len(note.strip()) > NOTE_MAX:
        errors["note"] = f"Keep the note to {NOTE_MAX} characters."
    else:
        clean["note"] = note.strip()
    return clean, errors


def set_plan(
    patient: User, clinician: User, routine: Routine, sessions_per_week: int, note: str
) -> Plan:
    """Add a plan (the caller commits); a clinician's own routine is copied to the patient."""
    if routine.owner_id is not None:
        routine = _copy_for(routine, patient)
    plan = Plan(
        patient_id=patient.id,
        clinician_id=clinician.id,
        routine=routine,
        sessions_per_week=sessions_per_week,
        note=note,
    )
    db.session.add(plan)
    db.session.flush()
    return plan


def _copy_for(routine: Routine, patient: User) -> Routine:
    copy = Routine(
        owner_id=patient.id,
        slug=new_slug(routine.title),
        title=routine.title,
        summary=routine.summary,
        difficulty=routine.difficulty,
        area=routine.area,
    )
    copy.steps = [Step.copy_of(step, position) for position, step in enumerate(routine.steps)]
    db.session.add(copy)
    return copy


def get_plan_or_404(plan_id: int, reader: User) -> Plan:
    """A plan its patient may read, or its clinician while the share lasts; else 404."""
    plan = db.session.get(Plan, plan_id)
    if plan is None:
        abort(404)
    if plan.patient_id == reader.id:
        return plan
    if plan.clinician_id == reader.id and shares.has_access(reader.id, plan.patient_id):
        return plan
    abort(404)


@dataclass(frozen=True)
class WeekAdherence:
    """One Monday-to-Sunday week of a plan: sessions planned and done."""

    week_start: date
    planned: int
    done: int

    @property
    def met(self) -> bool:
        """True once the week has as many sessions as planned."""
        return self.done >= self.planned


@dataclass(frozen=True)
class PlanAdherence:
    """A plan with its weeks, oldest first; the last is this week."""

    plan: Plan
    weeks: tuple[WeekAdherence, ...]

    @property
    def this_week(self) -> WeekAdherence:
        """The week under way."""
        return self.weeks[-1]


@cache
def _plan_sessions_statement() -> Select:
    """Sessions of some patients (`user_ids`) and routines (`slugs`) started `since`."""
    return select(
        WorkoutSession.user_id, WorkoutSession.routine_slug, WorkoutSession.started_at
    ).where(
        WorkoutSession.user_id.in_(bindparam("user_ids", expanding=True)),
        WorkoutSession.routine_slug.in_(bindparam("slugs", expanding=True)),
        WorkoutSession.started_at >= bindparam("since"),
    )


def adherence(
    plans: Sequence[Plan],
    patients: Iterable[User],
    now: datetime | None = None,
    weeks: int = HISTORY_WEEKS,
) -> dict[int, PlanAdherence]:
    """Each plan's last `weeks` weeks since it was set, by plan id, in one query for all.

    Weeks are the patient's own Monday-to-Sunday weeks (crampcare/local_time.py).
    """
    now = now or utcnow()
    zones = {patient.id: resolve_timezone(patient.timezone) for patient in patients}
    if not plans:
        return {}
    this_weeks = {pid: week_start(local_date(now, zone)) for pid, zone in zones.items()}
    # The earliest Monday of any patient's span, a day early for the widest offset.
    earliest = min(this_weeks.values()) - timedelta(weeks=weeks - 1, days=1)
    wanted = {(plan.patient_id, plan.routine.slug) for plan in plans}
    rows = db.session.execute(
        _plan_sessions_statement(),
        {
            "user_ids": sorted({pid for pid, _ in wanted}),
            "slugs": sorted({slug for _, slug in wanted}),
            "since": local_day_start(earliest, "UTC"),
        },
    ).all()
    result = {}
    for plan in plans:
        zone = zones[plan.patient_id]
        last = this_weeks[plan.patient_id]
        # Weeks before the plan was set had no plan to keep to.
        first = max(
            last - timedelta(weeks=weeks - 1), week_start(local_date(plan.created_at, zone))
        )
        first = min(first, last)
        done = weekly_buckets(
            (
                row
                for row in rows
                if (row.user_id, row.routine_slug) == (plan.patient_id, plan.routine.slug)
            ),
            lambda row: row.started_at,
            zone,
            first,
            last,
        )
        result[plan.id] = PlanAdherence(
            plan,
            tuple(
                WeekAdherence(monday, plan.sessions_per_week, len(sessions))
                for monday, sessions in done.items()
            ),
        )
    return result


def to_dict(plan: Plan, done_this_week: int) -> dict:
    """The plan as the JSON API shows it."""
    return {
        "id": plan.id,
        "routine_slug": plan.routine.slug,
        "routine_title": plan.routine.title,
        "sessions_per_week": plan.sessions_per_week,
        "note": plan.note,
        "clinician": plan.clinician.name if plan.clinician else None,
        "done_this_week": done_this_week,
        "created_at": plan.created_at.isoformat(),
    }


def done_this_week(plan: Plan, now: datetime | None = None) -> int:
    """Sessions of the plan's routine in the patient's week under way."""
    return adherence([plan], [plan.patient], now, weeks=1)[plan.id].this_week.done


def remove_plan(plan: Plan, by: User) -> None:
    """Delete a plan and note it in the patient's audit log (the caller commits)."""
    audit.record("plan_removed", plan.patient, by, audit_words(plan))
    db.session.delete(plan)


def audit_words(plan: Plan) -> str:
    """How a plan reads in the patient's audit log."""
    return f"{plan.routine.title}, {plan.sessions_per_week} sessions a week"


def this_week_by_patient(
    plans: Sequence[Plan], patients: Iterable[User], now: datetime | None = None
) -> dict[int, WeekAdherence]:
    """Each patient's plans this week, added together: sessions done against planned."""
    weeks = adherence(plans, patients, now, weeks=1)
    totals: dict[int, WeekAdherence] = {}
    for plan in plans:
        week = weeks[plan.id].this_week
        before = totals.get(plan.patient_id)
        if before is not None:
            week = WeekAdherence(
                week.week_start, before.planned + week.planned, before.done + week.done
            )
        totals[plan.patient_id] = week
    return totals


def patient_plans(
    patient: User, now: datetime | None = None, weeks: int = 1
) -> list[PlanAdherence]:
    """A patient's plans, newest first, each with its last `weeks` weeks."""
    found = plans_of_patient(patient.id)
    by_id = adherence(found, [patient], now, weeks)
    return [by_id[plan.id] for plan in found]


@dataclass(frozen=True)
class PlanRecord:
    """What an export needs of a plan, read before the request's transaction ends."""

    id: int
    routine_slug: str
    routine_title: str
    sessions_per_week: int
    note: str
    created_at: datetime
    clinician: str | None


def plan_records(patient_id: int, clinician_id: int | None = None) -> list[PlanRecord]:
    """A patient's plans for an export: all of them, or those one clinician set."""
    return [
        PlanRecord(
            plan.id,
            plan.routine.slug,
            plan.routine.title,
            plan.sessions_per_week,
            plan.note,
            plan.created_at,
            plan.clinician.name if plan.clinician else None,
        )
        for plan in plans_of_patient(patient_id, clinician_id)
    ]
