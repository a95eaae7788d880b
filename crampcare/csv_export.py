"""Write check-ins with their sessions as CSV, streamed one line at a time."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from .advice import red_flag_tier
from .local_time import local_date
from .vocabulary import RED_FLAG_CLINICAL, RED_FLAG_TIER_WORDS

COLUMNS: tuple[str, ...] = (
    "checkin_id",
    "client_id",
    "recorded_at",
    "local_date",
    "cramp_severity",
    "cramp_timing",
    "cramp_locations",
    "pain",
    "water_ml",
    "electrolytes",
    "sweat",
    "exertion",
    "red_flags",
    "red_flag_labels",
    "notes",
    "session_id",
    "routine_slug",
    "session_started_at",
    "session_ended_at",
    "steps_completed",
    "steps_total",
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


def csv_chunks(rows: Iterable[tuple[Any, Any]], timezone: str) -> Iterator[str]:
    """Return the header line, then one CSV line per (check-in, session or None)."""
    # Resolved now rather than inside the generator, so an unknown zone fails
    # before a response has started streaming.
    zone = ZoneInfo(timezone)
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
        yield line(_checkin_cells(checkin, zone) + _session_cells(session))


def _checkin_cells(checkin: Any, zone: ZoneInfo) -> list[Any]:
    recorded_at = _require_offset(checkin.recorded_at, "recorded_at")
    return [
        checkin.id,
        checkin.client_id,
        recorded_at.isoformat(),
        local_date(recorded_at, zone).isoformat(),
        checkin.cramp_severity,
        checkin.cramp_timing,
        ";".join(checkin.cramp_locations),
        checkin.pain,
        checkin.water_ml,
        ";".join(checkin.electrolytes),
        checkin.sweat,
        checkin.exertion,
        ";".join(checkin.red_flags),
        ";".join(_red_flag_label(flag) for flag in checkin.red_flags),
        checkin.notes,
    ]


def _red_flag_label(flag: str) -> str:
    # The tier says how soon the flag calls for care (SPEC §6.1).
    tier = RED_FLAG_TIER_WORDS[red_flag_tier(flag)]
    return f"{RED_FLAG_CLINICAL.get(flag, flag)} ({tier})"


def _session_cells(session: Any) -> list[Any]:
    if session is None:
        return [None] * 6
    ended_at = session.ended_at
    return [
        session.id,
        session.routine_slug,
        _require_offset(session.started_at, "started_at").isoformat(),
        None if ended_at is None else _require_offset(ended_at, "ended_at").isoformat(),
        session.steps_completed,
        session.steps_total,
    ]


def _require_offset(moment: datetime, name: str) -> datetime:
    # A naive time would be read in the server's zone and give a wrong local date
    # without any sign of it; better to stop the export.
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must carry a UTC offset, got naive {moment.isoformat()}")
    return moment
