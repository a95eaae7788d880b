"""Exports through their endpoints: CSV, FHIR R4 and the printable report."""

import csv
import html
import io
import json
import re
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fhir.resources.R4B.bundle import Bundle
from sqlalchemy import event, insert, select

from crampcare.charts import week_label
from crampcare.csv_export import COLUMNS
from crampcare.extensions import db
from crampcare.local_time import week_start
from crampcare.models import AuditEvent, Checkin, utcnow

from .conftest import make_app
from .records import add_checkin, add_session, share_between, signed_in, user_id

pytestmark = pytest.mark.postgres

PATIENT = "pat@example.com"
DOCTOR = "doc@example.com"


def rows_of(response) -> list[dict]:
    """The CSV body as dicts."""
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_csv_has_one_row_per_checkin_with_its_session(app):
    client = signed_in(app, PATIENT)
    session_id = add_session(app, PATIENT)
    first = add_checkin(app, PATIENT, session_id=session_id, recorded_at=utcnow() - timedelta(2))
    second = add_checkin(app, PATIENT, cramp_severity=0, cramp_timing=None)
    response = client.get("/export/me.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-store"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and ".csv" in disposition
    rows = rows_of(response)
    assert tuple(rows[0]) == COLUMNS
    assert [int(row["checkin_id"]) for row in rows] == [first, second]
    assert rows[0]["session_id"] == str(session_id)
    assert rows[0]["routine_slug"] == "gentle-lower-back"
    assert rows[1]["session_id"] == ""


def test_exports_keep_the_offset_a_checkin_was_recorded_in(app):
    client = signed_in(app, PATIENT, tz="Europe/Berlin")
    add_checkin(app, PATIENT, recorded_offset_minutes=120)
    recorded = rows_of(client.get("/export/me.csv"))[0]["recorded_at"]
    assert recorded.endswith("+02:00")
    bundle = client.get("/export/me.fhir.json").get_data(as_text=True)
    assert recorded in bundle


def test_csv_neutralises_formulas_and_keeps_non_ascii(app):
    client = signed_in(app, PATIENT)
    notes = ['=HYPERLINK("x")', "+1 cramp", "-2 litres", "@SUM(A1)", "Krämpfe nachts · 痙攣 ✓"]
    for index, note in enumerate(notes):
        add_checkin(app, PATIENT, notes=note, recorded_at=utcnow() - timedelta(hours=10 - index))
    body = client.get("/export/me.csv").data
    assert body.decode("utf-8")
    written = [row["notes"] for row in rows_of(client.get("/export/me.csv"))]
    assert written == ['\'=HYPERLINK("x")', "'+1 cramp", "'-2 litres", "'@SUM(A1)", notes[4]]


def test_fhir_export_validates_as_an_r4_bundle(app):
    client = signed_in(app, PATIENT)
    add_checkin(app, PATIENT, water_ml=750, pain=4, notes="Ziehen im Rücken")
    add_checkin(app, PATIENT, cramp_severity=0, cramp_timing=None)
    response = client.get("/export/me.fhir.json")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/fhir+json")
    assert response.headers["Cache-Control"] == "no-store"
    assert "attachment" in response.headers["Content-Disposition"]
    document = json.loads(response.get_data(as_text=True))
    bundle = Bundle.model_validate(document)
    assert bundle.type == "collection"
    kinds = [entry.resource.get_resource_type() for entry in bundle.entry]
    assert kinds[0] == "Patient" and kinds.count("Patient") == 1
    assert "Observation" in kinds
    codes = {
        coding.code for entry in bundle.entry[1:] for coding in (entry.resource.code.coding or [])
    }
    assert {"55300003", "9000-1"} <= codes
    assert "Ziehen im Rücken" in response.get_data(as_text=True)


def test_the_report_names_red_flags_in_words_and_shows_the_emergency(app):
    client = signed_in(app, PATIENT)
    add_checkin(app, PATIENT, red_flags=["saddle_numbness", "leg_swelling"])
    page = client.get("/export/me/report").get_data(as_text=True)
    assert "Warning signs: Saddle anaesthesia; Swollen, red or warm leg." in page
    assert 'class="advice-item advice-emergency" role="alert"' in page


def test_report_has_summary_chart_table_and_advice(app):
    client = signed_in(app, PATIENT)
    for days_ago in (1, 3, 9, 16):
        add_checkin(app, PATIENT, recorded_at=utcnow() - timedelta(days=days_ago), water_ml=200)
    response = client.get("/export/me/report")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    assert "<svg" in page and page.count("<rect") >= 12
    # The chart, not the menu's icons.
    chart = page[page.index('<svg class="chart"') :]
    chart = chart[: chart.index("</svg>")]
    assert "style=" not in chart
    assert "4 cramps over" in chart
    assert page.count("<tr") == 5  # a header row and four check-ins
    assert "Cramps, last 28 days" in page
    assert "Drink to thirst around your workouts" in page
    assert "not a diagnosis" in page
    short = client.get("/export/me/report?days=28").get_data(as_text=True)
    assert short.count("<rect") == 4


def chart_weeks(page: str) -> list[str]:
    """The chart's weeks as its text alternative reads them: "week of 3 Mar: 2"."""
    desc = html.unescape(re.search(r'<desc id="chart-desc">(.*?)</desc>', page).group(1))
    return desc.split(": ", 1)[1].split("; ")


def test_the_report_counts_the_same_monday_weeks_as_the_dashboard(app):
    zone = ZoneInfo("Pacific/Auckland")
    client = signed_in(app, PATIENT, tz="Pacific/Auckland")
    this_monday = week_start(utcnow().astimezone(zone).date())
    # Either side of a local Sunday-to-Monday midnight: two weeks, never one.
    for weeks_back in (2, 5, 9):
        monday = this_monday - timedelta(weeks=weeks_back)
        for day, at in ((monday - timedelta(days=1), time(23, 30)), (monday, time(0, 30))):
            moment = datetime.combine(day, at, tzinfo=zone)
            add_checkin(app, PATIENT, recorded_at=moment, recorded_offset_minutes=0)
    add_checkin(app, PATIENT, recorded_at=utcnow() - timedelta(days=20), cramp_severity=0)

    report = chart_weeks(client.get("/export/me/report?days=90").get_data(as_text=True))
    dashboard = chart_weeks(
        client.get("/dashboard/chart?range=90", headers={"HX-Request": "true"}).get_data(
            as_text=True
        )
    )
    mondays = [this_monday - timedelta(weeks=back) for back in reversed(range(12))]
    assert report == dashboard[-12:]
    assert [week.split(":")[0] for week in report] == [
        f"week of {week_label(monday)}" for monday in mondays
    ]
    counts = {week.split(": ")[0]: int(week.split(": ")[1]) for week in report}
    for weeks_back in (2, 5, 9):
        monday = this_monday - timedelta(weeks=weeks_back)
        assert counts[f"week of {week_label(monday)}"] == 1
        assert counts[f"week of {week_label(monday - timedelta(weeks=1))}"] == 1


def test_print_stylesheet_handles_pages_and_rows():
    stylesheet = (Path(__file__).parent.parent / "static/css/app.css").read_text()
    css = stylesheet[stylesheet.index("@media print") :]
    assert "@page" in css
    assert "break-inside: avoid" in css
    assert ".site-header" in css and "display: none" in css


def test_clinician_exports_are_audited(app):
    signed_in(app, PATIENT)
    doctor = signed_in(app, DOCTOR, role="clinician")
    add_checkin(app, PATIENT, notes="shared")
    share_between(app, PATIENT, DOCTOR)
    base = f"/clinician/patients/{user_id(app, PATIENT)}"
    csv_response = doctor.get(f"{base}/export.csv")
    assert [row["notes"] for row in rows_of(csv_response)] == ["shared"]
    assert "patient-" in csv_response.headers["Content-Disposition"]
    Bundle.model_validate(json.loads(doctor.get(f"{base}/export.fhir.json").data))
    assert doctor.get(f"{base}/report").status_code == 200
    with app.app_context():
        details = db.session.scalars(
            select(AuditEvent.detail)
            .where(
                AuditEvent.action == "clinician_export",
                AuditEvent.subject_id == user_id(app, PATIENT),
                AuditEvent.actor_id == user_id(app, DOCTOR),
            )
            .order_by(AuditEvent.id)
        ).all()
    assert details == [
        "Downloaded a CSV export",
        "Downloaded a FHIR export",
        "Downloaded a printable report export",
    ]


def test_clinicians_have_no_export_of_their_own(app):
    doctor = signed_in(app, DOCTOR, role="clinician")
    assert doctor.get("/export/me.csv").status_code == 404


def test_clinician_patient_list_sorts_and_summarises(app):
    doctor = signed_in(app, DOCTOR, role="clinician")
    for email, cramps in (("a@example.com", 1), ("b@example.com", 3)):
        signed_in(app, email)
        share_between(app, email, DOCTOR)
        for n in range(cramps):
            add_checkin(app, email, recorded_at=utcnow() - timedelta(hours=n + 1))
    add_session(app, "a@example.com")
    by_cramps = doctor.get("/clinician/patients?sort=cramps").get_data(as_text=True)
    assert by_cramps.index("b@example.com") < by_cramps.index("a@example.com")
    by_email = doctor.get("/clinician/patients?sort=email").get_data(as_text=True)
    assert by_email.index("a@example.com") < by_email.index("b@example.com")
    assert 'href="/clinician/patients?sort=sessions"' in by_email
    assert "0.2" in by_email  # one session in 28 days
    assert "need more data" in by_email
    response = doctor.get("/clinician/patients")
    assert response.headers["Cache-Control"] == "no-store"


def test_a_long_csv_download_leaves_the_database_writable(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'lock.sqlite'}", SQLITE_BUSY_TIMEOUT_MS=200)
    client = signed_in(app, PATIENT)
    with app.app_context():
        owner = user_id(app, PATIENT)
        start = utcnow() - timedelta(days=30)
        db.session.execute(
            insert(Checkin),
            [
                {
                    "user_id": owner,
                    "client_id": f"bulk-{n}",
                    "recorded_at": start + timedelta(minutes=n),
                    "notes": "a note long enough to fill the first chunk " * 2,
                }
                for n in range(2000)
            ],
        )
        db.session.commit()

    response = client.get("/export/me.csv", buffered=False)
    chunks = response.iter_encoded()
    first = next(chunks)
    assert first.startswith(b"checkin_id,")
    # Mid-download, another request writes: it must not wait for the export's lock.
    add_checkin(app, PATIENT, notes="written during the download")
    rest = b"".join(chunks)
    response.close()
    assert (first + rest).count(b"\n") == 2001


def test_the_patient_list_costs_the_same_queries_for_one_patient_or_many(app):
    doctor = signed_in(app, DOCTOR, role="clinician")

    def queries_for_list() -> int:
        statements = []
        with app.app_context():
            engine = db.engine
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            assert doctor.get("/clinician/patients").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(statements)

    signed_in(app, "p0@example.com")
    share_between(app, "p0@example.com", DOCTOR)
    add_checkin(app, "p0@example.com")
    one = queries_for_list()
    for n in range(1, 5):
        signed_in(app, f"p{n}@example.com")
        share_between(app, f"p{n}@example.com", DOCTOR)
        add_checkin(app, f"p{n}@example.com")
        add_session(app, f"p{n}@example.com")
    assert queries_for_list() == one
