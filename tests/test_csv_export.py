"""The CSV export: one line per check-in with its session, safe to open in a spreadsheet."""

import csv
import io
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfoNotFoundError

import pytest

from crampcare.csv_export import COLUMNS, csv_chunks, neutralise


@dataclass
class Checkin:
    id: int = 1
    client_id: str = "6f1c1d52-7a43-4a53-9f0e-3c1b8e2f5a10"
    recorded_at: datetime = datetime(2025, 6, 1, 19, 45, tzinfo=UTC)
    session_id: int | None = None
    cramp_severity: int = 0
    cramp_timing: str | None = None
    cramp_locations: list[str] = field(default_factory=list)
    pain: int | None = None
    water_ml: int | None = None
    electrolytes: list[str] = field(default_factory=list)
    sweat: str | None = None
    exertion: int | None = None
    red_flags: list[str] = field(default_factory=list)
    notes: str | None = None


@dataclass
class Session:
    id: int = 11
    routine_slug: str = "gentle-lower-back"
    started_at: datetime = datetime(2025, 6, 1, 19, 20, tzinfo=UTC)
    ended_at: datetime | None = datetime(2025, 6, 1, 19, 32, tzinfo=UTC)
    steps_completed: int = 6
    steps_total: int = 8


def read(rows, tz: str = "UTC") -> list[dict[str, str]]:
    # Through bytes, as the download will be: the export promises UTF-8.
    data = "".join(csv_chunks(rows, tz)).encode("utf-8")
    reader = csv.reader(io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", newline=""))
    header = next(reader)
    assert header == list(COLUMNS)
    return [dict(zip(header, line, strict=True)) for line in reader]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+41 cramps", "'+41 cramps"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("felt fine = good", "felt fine = good"),
        ("", ""),
        (None, ""),
        (0, "0"),
        (-3, "-3"),
        (2500, "2500"),
    ],
)
def test_neutralise(value, expected):
    assert neutralise(value) == expected


def test_header_matches_columns():
    lines = list(csv_chunks([], "UTC"))
    assert len(lines) == 1
    assert next(csv.reader([lines[0]])) == list(COLUMNS)
    assert len(COLUMNS) == 22


def test_full_row_with_session():
    checkin = Checkin(
        id=5,
        recorded_at=datetime(2025, 6, 1, 19, 45, tzinfo=timezone(timedelta(hours=2))),
        session_id=11,
        cramp_severity=2,
        cramp_timing="after_stretch",
        cramp_locations=["lower_back_left", "mid_back"],
        pain=4,
        water_ml=0,
        electrolytes=["sodium", "potassium"],
        sweat="heavy",
        exertion=7,
        red_flags=["fever", "long_cramp"],
        notes="tight after the twist",
    )
    [row] = read([(checkin, Session())], tz="Europe/Berlin")
    assert row == {
        "Check-in ID": "5",
        "Client ID": "6f1c1d52-7a43-4a53-9f0e-3c1b8e2f5a10",
        "Recorded at (patient's time)": "2025-06-01T19:45:00+02:00",
        "Local date": "2025-06-01",
        "Cramp severity (0-3)": "2",
        "Cramp severity": "Moderate",
        "Cramp timing": "After stretching",
        "Cramp locations": "Lower back, left; Mid back",
        "Pain (0-10)": "4",
        "Water (ml)": "0",
        "Electrolytes": "Sodium (salt); Potassium",
        "Sweat": "Heavy",
        "Effort (1-10)": "7",
        "Red flags": "Fever with back pain (same day); "
        "Cramp over 10 minutes that did not ease (same day)",
        "Red flag codes": "fever;long_cramp",
        "Notes": "tight after the twist",
        "Session ID": "11",
        "Routine": "gentle-lower-back",
        # The session's times on the row's clock: Berlin's summer offset.
        "Session started (patient's time)": "2025-06-01T21:20:00+02:00",
        "Session ended (patient's time)": "2025-06-01T21:32:00+02:00",
        "Steps completed": "6",
        "Steps in routine": "8",
    }


def test_row_without_session_has_empty_session_cells():
    [row] = read([(Checkin(pain=None, water_ml=None), None)])
    session_columns = COLUMNS[COLUMNS.index("Session ID") :]
    assert len(session_columns) == 6
    assert all(row[name] == "" for name in session_columns)
    assert row["Pain (0-10)"] == ""
    assert row["Water (ml)"] == ""
    assert row["Cramp locations"] == ""


def test_unfinished_session_has_an_empty_end():
    [row] = read([(Checkin(), Session(ended_at=None))])
    assert row["Session ended (patient's time)"] == ""
    assert row["Session started (patient's time)"] == "2025-06-01T19:20:00+00:00"


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_formula_in_notes_is_neutralised(start):
    notes = f"{start}cmd|' /C calc'!A0"
    [row] = read([(Checkin(notes=notes), None)])
    assert row["Notes"] == "'" + notes


def test_formula_in_routine_slug_is_neutralised():
    [row] = read([(Checkin(), Session(routine_slug="=1+2"))])
    assert row["Routine"] == "'=1+2"


def test_non_ascii_notes_survive_a_round_trip():
    notes = 'Müdigkeit, 痛み; "quoted"\nsecond line'
    [row] = read([(Checkin(notes=notes), None)])
    assert row["Notes"] == notes


def test_local_date_uses_the_patients_timezone():
    # 23:30 in UTC is already the next morning in Tokyo and still the same evening
    # in Los Angeles.
    late = Checkin(recorded_at=datetime(2025, 3, 9, 23, 30, tzinfo=UTC))
    assert read([(late, None)], tz="Asia/Tokyo")[0]["Local date"] == "2025-03-10"
    assert read([(late, None)], tz="America/Los_Angeles")[0]["Local date"] == "2025-03-09"
    assert read([(late, None)], tz="UTC")[0]["Local date"] == "2025-03-09"


def test_times_read_in_the_patients_current_timezone():
    recorded_at = datetime(2025, 6, 1, 7, 5, tzinfo=timezone(timedelta(hours=-4)))
    [row] = read([(Checkin(recorded_at=recorded_at), None)], tz="Asia/Tokyo")
    assert row["Recorded at (patient's time)"] == "2025-06-01T20:05:00+09:00"
    assert row["Local date"] == "2025-06-01"


def test_one_offset_per_row_after_the_patient_moved():
    # Logged in London (+01:00 in summer, the session's times stored in UTC), then the
    # patient moved to New York: the whole row reads on New York's clock.
    london = timezone(timedelta(hours=1))
    checkin = Checkin(recorded_at=datetime(2026, 7, 26, 1, 18, tzinfo=london))
    session = Session(
        started_at=datetime(2026, 7, 25, 23, 50, tzinfo=UTC),
        ended_at=datetime(2026, 7, 26, 0, 5, tzinfo=UTC),
    )
    [row] = read([(checkin, session)], tz="America/New_York")
    times = [
        row["Recorded at (patient's time)"],
        row["Session started (patient's time)"],
        row["Session ended (patient's time)"],
    ]
    assert times == [
        "2026-07-25T20:18:00-04:00",
        "2026-07-25T19:50:00-04:00",
        "2026-07-25T20:05:00-04:00",
    ]
    assert {time[-6:] for time in times} == {"-04:00"}
    # The local date is the date of the time beside it.
    assert row["Local date"] == times[0][:10]


def test_each_row_takes_the_offset_its_instant_had_in_the_zone():
    winter = Checkin(id=1, recorded_at=datetime(2026, 1, 10, 15, 0, tzinfo=UTC))
    summer = Checkin(id=2, recorded_at=datetime(2026, 7, 10, 15, 0, tzinfo=UTC))
    rows = read([(winter, None), (summer, None)], tz="America/New_York")
    assert [row["Recorded at (patient's time)"] for row in rows] == [
        "2026-01-10T10:00:00-05:00",
        "2026-07-10T11:00:00-04:00",
    ]


def test_a_session_across_a_clock_change_keeps_the_rows_offset():
    # Clocks went forward at 02:00 on 8 March 2026 in New York: the check-in after
    # it sets the row's offset, and the session that began before it reads on it too.
    checkin = Checkin(recorded_at=datetime(2026, 3, 8, 7, 30, tzinfo=UTC))  # 03:30 -04:00
    session = Session(
        started_at=datetime(2026, 3, 8, 6, 50, tzinfo=UTC),  # 01:50 -05:00
        ended_at=datetime(2026, 3, 8, 7, 10, tzinfo=UTC),
    )
    [row] = read([(checkin, session)], tz="America/New_York")
    assert row["Recorded at (patient's time)"] == "2026-03-08T03:30:00-04:00"
    assert row["Session started (patient's time)"] == "2026-03-08T02:50:00-04:00"


def test_unknown_timezone_fails_before_streaming():
    with pytest.raises(ZoneInfoNotFoundError):
        csv_chunks([], "Mars/Olympus_Mons")


def test_naive_recorded_at_is_refused():
    with pytest.raises(ValueError, match="recorded_at"):
        list(csv_chunks([(Checkin(recorded_at=datetime(2025, 6, 1, 8, 0)), None)], "UTC"))


def test_one_chunk_per_row_read_lazily():
    pulled = []

    def rows():
        for n in (1, 2):
            pulled.append(n)
            yield Checkin(id=n), None
        raise AssertionError("a third row was requested")

    chunks = csv_chunks(rows(), "UTC")
    assert next(chunks).startswith("Check-in ID,Client ID,")
    assert pulled == []
    assert next(chunks).startswith("1,")
    assert pulled == [1]
    assert next(chunks).startswith("2,")
    assert pulled == [1, 2]


def test_many_rows_in_order():
    rows = [(Checkin(id=n), Session(id=n) if n % 2 else None) for n in range(1, 1001)]
    parsed = read(rows)
    assert [row["Check-in ID"] for row in parsed] == [str(n) for n in range(1, 1001)]
    assert parsed[0]["Session ID"] == "1"
    assert parsed[1]["Session ID"] == ""


def test_new_red_flags_carry_their_label_and_tier():
    rows = read([(Checkin(red_flags=["dark_urine", "night_pain"]), None)])
    assert rows[0]["Red flag codes"] == "dark_urine;night_pain"
    assert rows[0]["Red flags"] == (
        "Dark (brown or cola-coloured) urine after a cramp or exertion (emergency); "
        "Night pain not eased by rest (see soon)"
    )
