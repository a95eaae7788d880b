"""The clinician's patient list: paged and sorted in SQL, the same order and numbers the
rows show, searchable, and the patients who need seeing now named above every page."""

import re
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from crampcare.advice import AdviceConfig
from crampcare.clinician import listing
from crampcare.extensions import db
from crampcare.local_time import window_start
from crampcare.logbook.summary import summarise
from crampcare.models import Checkin, Share, User, WorkoutSession, utcnow
from crampcare.shares import shared_patients

from .records import add_checkin, signed_in, user_id

pytestmark = pytest.mark.postgres

DOCTOR = "doc@example.com"
ZONES = ["UTC", "Pacific/Auckland", "America/Los_Angeles", "Asia/Kolkata"]


def make_patients(app, count: int, first: int = 0) -> list[str]:
    """`count` patients sharing with the doctor, in four timezones, with varied history."""
    now = utcnow()
    emails = []
    with app.app_context():
        doctor_id = db.session.scalar(select(User.id).where(User.email == DOCTOR))
        for n in range(first, first + count):
            zone = ZONES[n % len(ZONES)]
            patient = User(
                email=f"p{n:03d}@example.com",
                role="patient",
                timezone=zone,
                display_name=f"Patient {(n * 7) % count:03d}" if n % 3 else "",
            )
            patient.password_hash = "not-a-hash"
            db.session.add(patient)
            db.session.flush()
            start = window_start(now, zone, 28)
            # Some cramps just inside the local window, one just outside it: a window cut
            # in UTC for everyone would count them wrongly in some zones.
            for k in range(n % 5):
                db.session.add(checkin_row(patient.id, start + timedelta(minutes=10 + k), 2))
            db.session.add(checkin_row(patient.id, start - timedelta(minutes=10), 3))
            for k in range(n % 4):
                db.session.add(session_row(patient.id, now - timedelta(days=k + 1, hours=n % 7)))
            db.session.add(
                Share(
                    patient_id=patient.id,
                    clinician_id=doctor_id,
                    code=f"C{n:07d}",
                    expires_at=now + timedelta(days=7),
                    redeemed_at=now,
                )
            )
            emails.append(patient.email)
        db.session.commit()
    return emails


def checkin_row(user_id: int, at, severity: int) -> Checkin:
    return Checkin(
        user_id=user_id,
        client_id=str(uuid.uuid4()),
        recorded_at=at,
        cramp_severity=severity,
        cramp_timing="after_stretch",
        cramp_locations=["lower_back"],
        water_ml=300,
        electrolytes=[],
        sweat="moderate",
        exertion=5,
        red_flags=[],
        notes="",
    )


def session_row(user_id: int, at) -> WorkoutSession:
    return WorkoutSession(
        user_id=user_id,
        client_id=str(uuid.uuid4()),
        routine_slug="gentle-lower-back",
        started_at=at,
        ended_at=at + timedelta(minutes=8),
        steps_completed=3,
        steps_total=3,
    )


# The order the whole list had when it was sorted in Python: the reference.
REFERENCE = {
    "activity": lambda s: (
        s.last_activity is None,
        -(s.last_activity.timestamp() if s.last_activity else 0),
    ),
    "cramps": lambda s: (-s.cramps, s.patient.name.casefold(), s.patient.id),
    "sessions": lambda s: (-s.sessions_per_week, s.patient.name.casefold(), s.patient.id),
    "email": lambda s: (s.patient.name.casefold(), s.patient.id),
}


def every_page(app, sort: str, query: str = "") -> list:
    """The summaries of every page in turn, as the clinician would page through them."""
    with app.app_context():
        doctor_id = user_id(app, DOCTOR)
        config = AdviceConfig.from_mapping(app.config)
        now = utcnow()
        first = listing.patient_page(doctor_id, sort, 1, query, now, config)
        pages = [first] + [
            listing.patient_page(doctor_id, sort, n, query, now, config)
            for n in range(2, first.pages + 1)
        ]
        return [s for page in pages for s in page.summaries], pages


@pytest.fixture
def doctor(app):
    return signed_in(app, DOCTOR, role="clinician")


@pytest.mark.parametrize("sort", sorted(REFERENCE))
def test_pages_follow_the_numbers_they_show(app, doctor, sort):
    make_patients(app, 60)
    shown, pages = every_page(app, sort)
    assert [page.page for page in pages] == [1, 2, 3]
    assert [len(page.summaries) for page in pages] == [25, 25, 10]
    assert len({s.patient.id for s in shown}) == 60, "no patient twice, none left out"
    with app.app_context():
        rows = db.session.execute(shared_patients(user_id(app, DOCTOR))).all()
        everyone = summarise(rows, utcnow(), AdviceConfig.from_mapping(app.config))
    by_id = {s.patient.id: s for s in everyone}
    # The numbers shown are those of the whole-list summaries...
    assert [(s.cramps, s.sessions_per_week) for s in shown] == [
        (by_id[s.patient.id].cramps, by_id[s.patient.id].sessions_per_week) for s in shown
    ]
    # ...and the SQL order is the order those numbers give.
    keys = [REFERENCE[sort](s) for s in shown]
    if sort == "activity":
        keys = [key[:2] for key in keys]
    assert keys == sorted(keys)
    assert {s.cramps for s in shown} == {0, 1, 2, 3, 4}, "the window is each patient's own"


def test_the_page_reads_as_pages(app, doctor):
    make_patients(app, 30)
    page = doctor.get("/clinician/patients?sort=email")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Patients 1–25 of 30." in html
    assert html.count('<th scope="row">') == 25
    assert 'rel="next" href="/clinician/patients?sort=email&amp;page=2"' in html
    assert 'rel="prev"' not in html
    last = doctor.get("/clinician/patients?sort=email&page=2").get_data(as_text=True)
    assert "Patients 26–30 of 30." in last and last.count('<th scope="row">') == 5
    assert 'rel="prev"' in last and 'rel="next"' not in last
    # Past the end, or not a number: the nearest real page.
    assert "Patients 26–30 of 30." in doctor.get("/clinician/patients?page=99").get_data(
        as_text=True
    )
    assert "Patients 1–25 of 30." in doctor.get("/clinician/patients?page=x").get_data(as_text=True)


def test_a_small_list_is_one_page_with_no_pager(app, doctor):
    make_patients(app, 3)
    html = doctor.get("/clinician/patients").get_data(as_text=True)
    assert "3 patients." in html and 'class="pager"' not in html


def test_search_finds_by_name_or_email_in_any_case(app, doctor):
    make_patients(app, 30)
    with app.app_context():
        patient = db.session.scalar(select(User).where(User.email == "p007@example.com"))
        patient.display_name = "Ngaire O'Brien"
        db.session.commit()
    html = doctor.get("/clinician/patients?q=o%27brien").get_data(as_text=True)
    assert "1 patient matching" in html and "p007@example.com" in html
    assert (
        doctor.get("/clinician/patients?q=P007@EXAMPLE")
        .get_data(as_text=True)
        .count('<th scope="row">')
        == 1
    )
    # The sort links keep the search.
    html = doctor.get("/clinician/patients?q=P007@EXAMPLE").get_data(as_text=True)
    assert re.search(r"sort=cramps&amp;q=P007(@|%40)EXAMPLE", html)
    # A wildcard typed is a character looked for, not "anything".
    nothing = doctor.get("/clinician/patients?q=%25").get_data(as_text=True)
    assert "No patient matches “%”." in nothing


def test_a_patient_with_a_red_flag_is_named_above_every_page(app, doctor):
    emails = make_patients(app, 30)
    last_by_name = "p029@example.com"
    add_checkin(app, last_by_name, red_flags=["saddle_numbness"])
    add_checkin(app, emails[3], red_flags=["fever"])
    # Not pressing: a see-soon flag, and an emergency flag logged a week ago.
    add_checkin(app, emails[4], red_flags=["night_pain"])
    add_checkin(app, emails[5], red_flags=["chest_pain"], recorded_at=utcnow() - timedelta(days=7))
    for page in (1, 2):
        html = doctor.get(f"/clinician/patients?sort=email&page={page}").get_data(as_text=True)
        attention = html[html.index("Needs seeing now") : html.index("list-heading")]
        names = re.findall(r'href="/clinician/patients/\d+">([^<]+)</a>', attention)
        with app.app_context():
            expected = [
                db.session.scalar(select(User).where(User.email == email)).name
                for email in (last_by_name, emails[3])
            ]
        assert names == expected, "the emergency first, then the same-day"


def test_no_attention_section_when_nobody_needs_it(app, doctor):
    make_patients(app, 5)
    assert "Needs seeing now" not in doctor.get("/clinician/patients").get_data(as_text=True)


def test_a_page_runs_the_same_statements_for_ten_patients_or_sixty(app, doctor):
    def statements_for_a_page() -> int:
        seen = []
        with app.app_context():
            engine = db.engine
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            assert doctor.get("/clinician/patients").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(seen)

    make_patients(app, 10)
    few = statements_for_a_page()
    make_patients(app, 50, first=10)
    assert statements_for_a_page() == few
