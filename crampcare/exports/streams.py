"""The export responses, shared by a patient's own downloads and a clinician's."""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from typing import NamedTuple

from flask import Response, current_app, render_template, request, stream_with_context
from sqlalchemy import select

from ..advice import AdviceConfig
from ..csv_export import csv_chunks
from ..database import READ_ONLY
from ..extensions import db
from ..fhir import bundle_chunks
from ..local_time import window_start
from ..logbook.panels import chart_panel
from ..logbook.queries import advice_for, checkins_of, sessions_of
from ..logbook.summary import summarise
from ..models import Checkin, Routine, User, WorkoutSession, utcnow
from ..plans import plan_records

# Rows fetched from the database at a time, and text sent to the client at a time.
BATCH_ROWS = 500
CHUNK_CHARS = 64 * 1024
REPORT_RANGES = (28, 90, 365)


@dataclass(frozen=True)
class PatientRef:
    """What a stream needs of the patient, read before the request's transaction ends."""

    id: int
    timezone: str


class CheckinColumns(NamedTuple):
    """The check-in fields of an export row, its time in the offset it was recorded in."""

    id: int
    client_id: str
    recorded_at: datetime
    cramp_severity: int
    cramp_timing: str | None
    cramp_locations: list[str]
    pain: int | None
    water_ml: int | None
    electrolytes: list[str]
    sweat: str | None
    exertion: int | None
    red_flags: list[str]
    notes: str | None


class SessionColumns(NamedTuple):
    """The session fields of an export row."""

    id: int
    routine_slug: str
    started_at: datetime
    ended_at: datetime
    steps_completed: int
    steps_total: int


_CHECKINS = Checkin.__table__
_SESSIONS = WorkoutSession.__table__
_CHECKIN_WIDTH = len(CheckinColumns._fields)


def checkin_rows(patient_id: int):
    """Select a patient's check-ins, each with its session's columns (or NULLs), oldest first.

    Plain column rows, not ORM objects: building 100,000 objects would cost more
    than the export itself.
    """
    return (
        select(
            *(_CHECKINS.c[name] for name in CheckinColumns._fields),
            _CHECKINS.c.recorded_offset_minutes,
            *(_SESSIONS.c[name].label(f"session_{name}") for name in SessionColumns._fields),
        )
        .select_from(_CHECKINS.outerjoin(_SESSIONS, _CHECKINS.c.session_id == _SESSIONS.c.id))
        .where(_CHECKINS.c.user_id == patient_id)
        .order_by(_CHECKINS.c.recorded_at, _CHECKINS.c.id)
    )


def export_rows(rows: Iterable) -> Iterator[tuple[CheckinColumns, SessionColumns | None]]:
    """(check-in, its session or None) for each selected row."""
    offsets: dict[int, timezone] = {}
    for row in rows:
        minutes = row[_CHECKIN_WIDTH]
        offset = offsets.get(minutes)
        if offset is None:
            offset = offsets[minutes] = timezone(timedelta(minutes=minutes))
        checkin = CheckinColumns(*row[:_CHECKIN_WIDTH])
        checkin = checkin._replace(recorded_at=checkin.recorded_at.astimezone(offset))
        session = row[_CHECKIN_WIDTH + 1 :]
        yield checkin, (None if session[0] is None else SessionColumns(*session))


def csv_response(patient: User, filename: str) -> Response:
    """Every check-in with its session as a streamed CSV download."""
    ref = _release(patient)
    chunks = csv_chunks(export_rows(_stream(checkin_rows(ref.id))), ref.timezone)
    return _download(chunks, "text/csv; charset=utf-8", filename)


def fhir_response(patient: User, filename: str, clinician: User | None = None) -> Response:
    """Every check-in and plan as a streamed FHIR R4 collection Bundle.

    A clinician's export carries the plans that clinician set; the patient's, all.
    """
    records = plan_records(patient.id, clinician.id if clinician else None)
    ref = _release(patient)
    checkins = (checkin for checkin, _ in export_rows(_stream(checkin_rows(ref.id))))
    chunks = bundle_chunks(ref, checkins, utcnow(), records)
    return _download(chunks, "application/fhir+json; charset=utf-8", filename)


def report_response(patient: User, back_url: str, reader: str = "patient") -> Response:
    """A printable page: summary, cramps per week, advice, check-ins and sessions of a range.

    The summary covers the report's span and its weeks are the dashboard's Monday weeks;
    the advice reads its own window, as on the dashboard. `reader` words the advice
    for the patient or for their clinician.
    """
    days = request.args.get("days", 90, type=int)
    days = days if days in REPORT_RANGES else 90
    now = utcnow()
    config = AdviceConfig.from_mapping(current_app.config)
    summary = summarise([(patient, None)], now, replace(config, window_days=days))[0]
    start = window_start(now, patient.timezone, days)
    checkins = db.session.scalars(checkins_of(patient.id, since=start)).all()
    sessions = db.session.scalars(sessions_of(patient.id, since=start)).all()
    titles = dict(
        db.session.execute(
            select(Routine.slug, Routine.title).where(
                Routine.slug.in_({session.routine_slug for session in sessions})
            )
        ).all()
    )
    _config, advice = advice_for(patient, now)
    html = render_template(
        "exports/report.html",
        patient=patient,
        summary=summary,
        advice=[item.for_reader(reader) for item in advice],
        advice_days=config.window_days,
        checkins=checkins,
        sessions=sessions,
        routine_titles=titles,
        # The dashboard's own chart of this range: the same Monday-to-Sunday weeks.
        chart=chart_panel(patient, days, now),
        days=days,
        ranges=REPORT_RANGES,
        generated_at=now,
        back_url=back_url,
        reader=reader,
    )
    return current_app.make_response(html)


def _release(patient: User) -> PatientRef:
    """Read what the stream needs, then end the request's transaction.

    On SQLite the request's session holds the write lock from its first query; a
    download lasting seconds must not keep other writers waiting.
    """
    ref = PatientRef(id=patient.id, timezone=patient.timezone or "UTC")
    db.session.commit()
    return ref


def _stream(statement) -> Iterator:
    """Rows of a statement from a read-only connection, fetched a batch at a time."""
    with db.engine.connect().execution_options(**READ_ONLY) as connection:
        yield from connection.execution_options(yield_per=BATCH_ROWS).execute(statement)


def _batched(chunks: Iterable[str]) -> Iterator[str]:
    """Join small pieces of text into chunks of about CHUNK_CHARS."""
    pending: list[str] = []
    size = 0
    for chunk in chunks:
        pending.append(chunk)
        size += len(chunk)
        if size >= CHUNK_CHARS:
            yield "".join(pending)
            pending, size = [], 0
    if pending:
        yield "".join(pending)


def _download(chunks: Iterable[str], mimetype: str, filename: str) -> Response:
    response = Response(stream_with_context(_batched(chunks)), content_type=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def dated_filename(stem: str, extension: str) -> str:
    """A download name with today's UTC date, e.g. crampcare-2026-03-01.csv."""
    return f"{stem}-{utcnow().date().isoformat()}.{extension}"
