"""Write check-ins with their sessions as CSV, streamed one line at a time."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

from .advice import red_flag_tier
from .vocabulary import (
    ELECTROLYTES,
    LOCATIONS,
    RED_FLAG_CLINICAL,
    RED_FLAG_TIER_WORDS,
    SEVERITIES,
    SWEAT,
    TIMINGS,
)

# Headers a clinician reads. Every time of a row is written in the patient's current
# timezone, at the offset that zone had at the check-in: one offset per row, so the
# check-in, its session and the local date always read on the same clock.
COLUMNS: tuple[str, ...] = (
    "Check-in ID",
    "Client ID",
    "Recorded at (patient's time)",
    "Local date",
    "Cramp severity (0-3)",
    "Cramp severity",
    "Cramp timing",
    "Cramp locations",
    "Pain (0-10)",
    "Water (ml)",
    "Electrolytes",
    "Sweat",
    "Effort (1-10)",
    "Red flags",
    "Red flag codes",
    "Notes",
    "Session ID",
    "Routine",
    "Session started (patient's time)",
    "Session ended (patient's time)",
    "Steps completed",
    "Steps in routine",
)

# A spreadsheet reads a cell starting with one of these as a formula (OWASP's list
# for CSV injection); tab and carriage return can hide such a start.
_FORMULA_STARTS = frozenset("=+-@\t\r")


def neutralise(value: Any) -> str:
    """Return the cell text, with a leading apostrophe when a spreadsheet would run it."""
    if value is None:
        return ""
    if isinstance(value, int | float):
        # Numbers are the app's own, never typed by a user: leave them as numbers.
        return str(value)
    text = str(value)
    if text and text[0] in _FORMULA_STARTS:
        return "'" + text
    return text


def csv_chunks(rows: Iterable[tuple[Any, Any]], zone_name: str) -> Iterator[str]:
    """Return the header line, then one CSV line per (check-in, session or None)."""
    # Resolved now rather than inside the generator, so an unknown zone fails
    # before a response has started streaming.
    zone = ZoneInfo(zone_name)
    return _csv_chunks(rows, zone)


def _csv_chunks(rows: Iterable[tuple[Any, Any]], zone: ZoneInfo) -> Iterator[str]:
    # One small buffer, emptied after every line, keeps memory flat however many
    # rows there are.
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(cells: Iterable[Any]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([neutralise(cell) for cell in cells])
        return buffer.getvalue()

    yield line(COLUMNS)
    for checkin, session in rows:
        offset = row_offset(_require_offset(checkin.recorded_at, "recorded_at"), zone)
        yield line(_checkin_cells(checkin, offset) + _session_cells(session, offset))


def row_offset(moment: datetime, zone: ZoneInfo) -> timezone:
    """The fixed offset the patient's timezone had at a moment: every time of its row uses it."""
    return timezone(moment.astimezone(zone).utcoffset())


def _checkin_cells(checkin: Any, offset: timezone) -> list[Any]:
    recorded_at = _require_offset(checkin.recorded_at, "recorded_at").astimezone(offset)
    return [
        checkin.id,
        checkin.client_id,
        recorded_at.isoformat(),
        # The date of the time beside it: both read on the row's one offset.
        recorded_at.date().isoformat(),
        checkin.cramp_severity,
        SEVERITIES.get(checkin.cramp_severity, checkin.cramp_severity),
        _labels([checkin.cramp_timing] if checkin.cramp_timing else [], TIMINGS),
        _labels(checkin.cramp_locations, LOCATIONS),
        checkin.pain,
        checkin.water_ml,
        _labels(checkin.electrolytes, ELECTROLYTES),
        _labels([checkin.sweat] if checkin.sweat else [], SWEAT),
        checkin.exertion,
        "; ".join(_red_flag_label(flag) for flag in checkin.red_flags),
        ";".join(checkin.red_flags),
        checkin.notes,
    ]


def _labels(codes: Iterable[str], labels: dict[str, str]) -> str:
    # A code no longer offered keeps its code, so nothing is lost.
    return "; ".join(labels.get(code, code) for code in codes)


def _red_flag_label(flag: str) -> str:
    # The tier says how soon the flag calls for care (SPEC §6.1).
    tier = RED_FLAG_TIER_WORDS[red_flag_tier(flag)]
    return f"{RED_FLAG_CLINICAL.get(flag, flag)} ({tier})"


def _session_cells(session: Any, offset: timezone) -> list[Any]:
    if session is None:
        return [None] * 6
    ended_at = session.ended_at
    return [
        session.id,
        session.routine_slug,
        _require_offset(session.started_at, "started_at").astimezone(offset).isoformat(),
        None
        if ended_at is None
        else _require_offset(ended_at, "ended_at").astimezone(offset).isoformat(),
        session.steps_completed,
        session.steps_total,
    ]


def _require_offset(moment: datetime, name: str) -> datetime:
    # A naive time would be read in the server's zone and give a wrong local date
    # without any sign of it; better to stop the export.
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must carry a UTC offset, got naive {moment.isoformat()}")
    return moment
