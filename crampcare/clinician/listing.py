"""The clinician's patient list: sorted and paged in SQL, so a page costs the same at 10
patients or 1,000, and the patients who need seeing now are named above every page.

The numbers a row shows come from `summarise`, for the page's patients only. The sort
keys are the same numbers counted in SQL over the same windows: each patient's window
starts at local midnight in their own timezone, so the keys are taken per timezone (a
clinician's patients live in a handful of them), never one UTC cut for everyone.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, case, func, literal, or_, select

from .. import plans, shares
from ..advice import AdviceConfig
from ..extensions import db
from ..local_time import window_start
from ..logbook.summary import PatientSummary, summarise
from ..models import Checkin, User, UTCDateTime, WorkoutSession

PAGE_SIZE = 25
SORTS = ("activity", "cramps", "sessions", "email")
QUERY_MAX = 100


@dataclass(frozen=True)
class PatientPage:
    """One page of a clinician's patients, and those whose advice says to be seen now."""

    summaries: list[PatientSummary]
    attention: list[PatientSummary]
    plan_weeks: dict
    sort: str
    query: str
    page: int
    pages: int
    total: int

    @property
    def first(self) -> int:
        """The position of the page's first patient in the whole list (from 1)."""
        return (self.page - 1) * PAGE_SIZE + 1 if self.total else 0

    @property
    def last(self) -> int:
        return self.first + len(self.summaries) - 1 if self.total else 0


def patient_page(
    clinician_id: int, sort: str, page: int, query: str, now: datetime, config: AdviceConfig
) -> PatientPage:
    """The page `page` of the clinician's patients matching `query`, sorted by `sort`."""
    sort = sort if sort in SORTS else "activity"
    query = query.strip()[:QUERY_MAX]
    shared = shares.shared_patients(clinician_id)
    if query:
        shared = shared.where(_matches(query))
    # Counted without the sort keys: those cost a look at every patient's log.
    total = db.session.scalar(select(func.count()).select_from(shared.subquery()))
    keys = _sort_keys(shared, now, config)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    ordered = (
        select(User, keys.c.since)
        .join(keys, keys.c.id == User.id)
        .order_by(*_order(keys, sort))
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    )
    rows = db.session.execute(ordered).all()
    summaries = summarise(rows, now, config)
    patients = [patient for patient, _since in rows]
    set_here = db.session.scalars(plans.plans_set_by(clinician_id, [p.id for p in patients]))
    return PatientPage(
        summaries=summaries,
        attention=_needing_attention(clinician_id, now, config),
        plan_weeks=plans.this_week_by_patient(set_here.unique().all(), patients),
        sort=sort,
        query=query,
        page=page,
        pages=pages,
        total=total,
    )


def _matches(query: str):
    """Patients whose email or display name holds the words typed, any case."""
    escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%"
    return or_(
        User.email.ilike(pattern, escape="\\"), User.display_name.ilike(pattern, escape="\\")
    )


def _window_starts(shared: Select, now: datetime, config: AdviceConfig):
    """Each patient's window start, as SQL: one value per timezone among the patients."""
    zones = db.session.scalars(
        select(User.timezone).where(User.id.in_(shared.with_only_columns(User.id))).distinct()
    ).all()

    def start_in(zone: str):
        return literal(window_start(now, zone, config.window_days), UTCDateTime)

    if not zones:
        return start_in("UTC")
    return case(*[(User.timezone == zone, start_in(zone)) for zone in zones], else_=start_in("UTC"))


def _sort_keys(shared: Select, now: datetime, config: AdviceConfig):
    """A subquery of (id, since, name, last activity, cramps, sessions) per patient."""
    start = _window_starts(shared, now, config)
    last_checkin = (
        select(func.max(Checkin.recorded_at)).where(Checkin.user_id == User.id).scalar_subquery()
    )
    last_session = (
        select(func.max(WorkoutSession.started_at))
        .where(WorkoutSession.user_id == User.id)
        .scalar_subquery()
    )
    cramps = (
        select(func.count())
        .where(
            Checkin.user_id == User.id, Checkin.recorded_at >= start, Checkin.cramp_severity >= 1
        )
        .scalar_subquery()
    )
    sessions = (
        select(func.count())
        .where(WorkoutSession.user_id == User.id, WorkoutSession.started_at >= start)
        .scalar_subquery()
    )
    name = func.lower(func.coalesce(func.nullif(func.trim(User.display_name), ""), User.email))
    # The later of the two, when either is missing too (SQLite's max(a, b) is NULL then).
    last = case(
        (last_session.is_(None), last_checkin),
        (last_checkin.is_(None), last_session),
        (last_session > last_checkin, last_session),
        else_=last_checkin,
    )
    return shared.with_only_columns(
        User.id,
        shared.selected_columns.since,
        name.label("name"),
        last.label("last_activity"),
        cramps.label("cramps"),
        sessions.label("sessions"),
    ).subquery("patient_keys")


def _order(keys, sort: str) -> list:
    """ORDER BY for a sort; the name, then the id, settle ties so pages never overlap."""
    settle = [keys.c.name, keys.c.id]
    if sort == "cramps":
        return [keys.c.cramps.desc(), *settle]
    if sort == "sessions":
        return [keys.c.sessions.desc(), *settle]
    if sort == "email":
        return settle
    return [keys.c.last_activity.is_(None), keys.c.last_activity.desc(), *settle]


def _needing_attention(clinician_id: int, now: datetime, config: AdviceConfig) -> list:
    """Patients whose advice says to be seen now (emergency or today), on every page.

    Only a red flag logged in the last few days can make advice pressing, so only the
    patients with one are summarised: however long the list, a flagged patient is never
    left on a later page.
    """
    recent = now - timedelta(days=config.red_flag_active_days + 2)
    flagged = (
        select(Checkin.user_id)
        .where(Checkin.recorded_at >= recent, func.json_array_length(Checkin.red_flags) > 0)
        .distinct()
    )
    rows = db.session.execute(
        shares.shared_patients(clinician_id).where(User.id.in_(flagged))
    ).all()
    summaries = [s for s in summarise(rows, now, config) if any(a.is_pressing for a in s.advice)]
    # Emergencies first, then by who logged most recently.
    return sorted(
        summaries,
        key=lambda s: (
            not any(a.category == "emergency" for a in s.advice),
            -(s.last_activity.timestamp() if s.last_activity else 0),
        ),
    )
