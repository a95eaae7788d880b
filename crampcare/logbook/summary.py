"""What a clinician or a report reads first: a patient's recent numbers and advice."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from ..advice import AdviceConfig, AdviceItem, compute_advice
from ..extensions import db
from ..local_time import window_start
from ..models import Checkin, User, WorkoutSession


@dataclass(frozen=True)
class PatientSummary:
    """One patient's last activity, cramps and sessions in the window, and advice."""

    patient: User
    since: datetime | None
    last_activity: datetime | None
    cramps: int
    checkins: int
    sessions_per_week: float
    advice: tuple[AdviceItem, ...]

    @property
    def categories(self) -> list[str]:
        """The advice categories, most pressing first."""
        return [item.category for item in self.advice]


def summarise(
    patients: Sequence[tuple[User, datetime | None]], now: datetime, config: AdviceConfig
) -> list[PatientSummary]:
    """Summaries for many patients with a fixed number of queries, whatever their count."""
    if not patients:
        return []
    ids = [patient.id for patient, _ in patients]
    starts = {p.id: window_start(now, p.timezone, config.window_days) for p, _ in patients}
    earliest = min(starts.values())
    checkins = _grouped(
        select(Checkin).where(Checkin.user_id.in_(ids), Checkin.recorded_at >= earliest),
        "recorded_at",
        starts,
    )
    sessions = _grouped(
        select(WorkoutSession).where(
            WorkoutSession.user_id.in_(ids), WorkoutSession.started_at >= earliest
        ),
        "started_at",
        starts,
    )
    last = _last_activity(ids)
    weeks = config.window_days / 7
    return [
        PatientSummary(
            patient=patient,
            since=since,
            last_activity=last.get(patient.id),
            cramps=sum(1 for c in checkins[patient.id] if c.is_cramp),
            checkins=len(checkins[patient.id]),
            sessions_per_week=len(sessions[patient.id]) / weeks,
            advice=tuple(
                compute_advice(checkins[patient.id], sessions[patient.id], patient, now, config)
            ),
        )
        for patient, since in patients
    ]


def _grouped(statement, moment: str, starts: dict[int, datetime]) -> dict[int, list]:
    """Records of a statement per user, keeping only those inside that user's window."""
    grouped: dict[int, list] = defaultdict(list)
    for record in db.session.scalars(statement):
        if getattr(record, moment) >= starts[record.user_id]:
            grouped[record.user_id].append(record)
    return grouped


def _last_activity(ids: list[int]) -> dict[int, datetime]:
    """The latest check-in or session start of each user, in two aggregate queries."""
    last: dict[int, datetime] = {}
    for column, owner in (
        (Checkin.recorded_at, Checkin.user_id),
        (WorkoutSession.started_at, WorkoutSession.user_id),
    ):
        rows = db.session.execute(
            select(owner, func.max(column)).where(owner.in_(ids)).group_by(owner)
        )
        for user_id, moment in rows:
            if moment is not None and (user_id not in last or moment > last[user_id]):
                last[user_id] = moment
    return last
