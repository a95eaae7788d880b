"""The check-in and cramp forms, history, advice and learn pages."""

import re
import uuid
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from crampcare.extensions import db
from crampcare.logbook.rules import FIELDS
from crampcare.models import Checkin, User

from .conftest import Auth, csrf_token
from .records import add_checkin, add_session

FORM_FIELDS = [name for name in FIELDS if name != "session_id"]
WORKOUT_FIELDS = ["water_ml", "electrolytes", "sweat", "exertion"]
CRAMP_FIELDS = [name for name in FORM_FIELDS if name not in [*WORKOUT_FIELDS, "recorded_at"]]


def count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Checkin.id)))


def form_data(client, path="/checkins/new", **fields) -> dict:
    data = {
        "csrf_token": csrf_token(client, path),
        "client_id": str(uuid.uuid4()),
        "recorded_at": "",
        "cramp_severity": "1",
        "cramp_timing": "after_stretch",
        "cramp_locations": ["lower_back", "lower_back_left"],
        "pain": "3",
        "water_ml": "250",
        "electrolytes": ["sodium"],
        "sweat": "moderate",
        "exertion": "6",
        "notes": "Tight at the end",
        "water_unit": "ml",
    }
    data.update(fields)
    return data


@pytest.fixture
def signed_in(client, auth):
    auth.register()
    return client


@pytest.mark.parametrize(
    ("path", "names"),
    [
        ("/checkins/new", FORM_FIELDS),
        ("/cramps/new", [*CRAMP_FIELDS, "recorded_date", "recorded_time"]),
    ],
)
def test_the_forms_carry_every_field(signed_in, path, names):
    page = signed_in.get(path).get_data(as_text=True)
    for name in names:
        assert f'name="{name}"' in page, name
    assert 'name="csrf_token"' in page
    assert 'hx-post="' in page
    assert re.search(r'name="client_id" value="[0-9a-f-]{36}"', page)


def test_the_cramp_form_defaults_to_a_mild_cramp(signed_in):
    page = signed_in.get("/cramps/new").get_data(as_text=True)
    assert re.search(r'name="cramp_severity" value="1" checked', page)
    assert 'value="night"' in page and 'value="during_stretch"' not in page


def test_a_post_without_javascript_saves_and_redirects(signed_in, app):
    response = signed_in.post("/checkins/new", data=form_data(signed_in))
    assert response.status_code == 303
    assert count(app) == 1
    with app.app_context():
        checkin = db.session.scalar(select(Checkin))
        assert checkin.cramp_locations == ["lower_back", "lower_back_left"]
        assert checkin.water_ml == 250 and checkin.exertion == 6
        # No time from the browser: the server's now stands in.
        assert checkin.recorded_at is not None


def test_a_double_submit_saves_once(signed_in, app):
    data = form_data(signed_in)
    assert signed_in.post("/checkins/new", data=data).status_code == 303
    assert signed_in.post("/checkins/new", data=data).status_code == 303
    assert count(app) == 1


def test_bad_input_re_renders_with_messages_and_saves_nothing(signed_in, app):
    data = form_data(signed_in, cramp_timing="", water_ml="9000", exertion="12")
    response = signed_in.post("/checkins/new", data=data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Say when the cramp came." in page
    assert 'id="water_ml-error"' in page and 'id="exertion-error"' in page
    assert 'value="9000"' in page
    assert count(app) == 0


def test_an_htmx_post_answers_a_fragment_and_a_trigger(signed_in, app):
    response = signed_in.post(
        "/checkins/new", data=form_data(signed_in), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert response.headers["HX-Trigger"] == "checkin-saved"
    page = response.get_data(as_text=True)
    assert "<html" not in page
    assert "Check-in saved." in page
    assert "not a diagnosis" in page
    assert count(app) == 1


def test_an_htmx_post_with_errors_answers_the_form_fragment(signed_in, app):
    response = signed_in.post(
        "/checkins/new",
        data=form_data(signed_in, cramp_severity="7"),
        headers={"HX-Request": "true"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in page and 'id="checkin-form"' in page
    assert "HX-Trigger" not in response.headers
    assert count(app) == 0


def test_fluid_ounces_are_shown_and_stored_as_ml(signed_in, app):
    with app.app_context():
        db.session.scalar(select(User)).units = "floz"
        db.session.commit()
    page = signed_in.get("/checkins/new").get_data(as_text=True)
    assert "(fl oz)" in page
    # Round amounts in the person's units: a US cup and a pint, not 8.5 and 16.9.
    assert re.findall(r'data-add-water="([^"]+)"[^>]*>([^<]+)<', page) == [
        ("8", "+8 fl oz"),
        ("16", "+16 fl oz"),
    ]
    signed_in.post("/checkins/new", data=form_data(signed_in, water_ml="16.9"))
    signed_in.post("/checkins/new", data=form_data(signed_in, water_ml="24"))
    with app.app_context():
        stored = db.session.scalars(select(Checkin.water_ml).order_by(Checkin.id)).all()
    assert stored == [500, 710]  # still whole ml: 24 fl oz is 709.8 ml


def test_the_quick_water_buttons_are_round_in_ml(signed_in):
    page = signed_in.get("/checkins/new").get_data(as_text=True)
    assert re.findall(r'data-add-water="([^"]+)"', page) == ["250", "500"]


def test_a_session_of_someone_else_is_404(signed_in, app):
    assert signed_in.get("/checkins/new?session=999").status_code == 404


def test_history_lists_edits_and_deletes(signed_in, app):
    signed_in.post("/checkins/new", data=form_data(signed_in, notes="first one"))
    with app.app_context():
        checkin_id = db.session.scalar(select(Checkin.id))
    history = signed_in.get("/checkins")
    assert history.headers["Cache-Control"] == "no-store"
    assert "first one" in history.get_data(as_text=True)
    edit = signed_in.get(f"/checkins/{checkin_id}/edit").get_data(as_text=True)
    assert "first one" in edit
    data = form_data(
        signed_in, path=f"/checkins/{checkin_id}/edit", notes="changed", water_ml="600"
    )
    with app.app_context():
        data["client_id"] = db.session.get(Checkin, checkin_id).client_id
        data["recorded_at"] = db.session.get(Checkin, checkin_id).recorded_local.isoformat()
    assert signed_in.post(f"/checkins/{checkin_id}/edit", data=data).status_code == 303
    with app.app_context():
        assert db.session.get(Checkin, checkin_id).water_ml == 600
    token = csrf_token(signed_in, "/checkins")
    deleted = signed_in.post(f"/checkins/{checkin_id}/delete", data={"csrf_token": token})
    assert deleted.status_code == 303
    assert count(app) == 0


def test_someone_elses_checkin_pages_are_404(signed_in, app):
    signed_in.post("/checkins/new", data=form_data(signed_in))
    with app.app_context():
        checkin_id = db.session.scalar(select(Checkin.id))
    other = app.test_client()
    Auth(other).register(email="other@example.com")
    assert other.get(f"/checkins/{checkin_id}/edit").status_code == 404
    token = csrf_token(other, "/")
    assert (
        other.post(f"/checkins/{checkin_id}/delete", data={"csrf_token": token}).status_code == 404
    )
    assert count(app) == 1


@pytest.mark.parametrize("path", ["/checkins/new", "/cramps/new", "/checkins", "/advice"])
def test_pages_need_a_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_the_advice_page_says_what_it_is(signed_in):
    response = signed_in.get("/advice")
    page = response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    assert "not a diagnosis" in page
    assert "Log a few more check-ins" in page
    assert "/learn#conditioning" in page


def test_the_learn_page_has_every_advice_section(client):
    page = client.get("/learn").get_data(as_text=True)
    for section in (
        "conditioning",
        "hydration",
        "electrolytes",
        "see-a-doctor",
        "red-flags",
        "evidence",
        "ease",
        "sources",
    ):
        assert f'id="{section}"' in page
    assert "not a diagnosis" in page


def test_the_learn_page_follows_the_evidence_and_names_its_sources(client):
    page = client.get("/learn").get_data(as_text=True)
    # By tier: the emergency action, the same-day action, and within days.
    assert "Call your local emergency number or go to an emergency department now" in page
    assert "See a doctor today" in page and "See a doctor within a few days" in page
    assert "drink to thirst" in page.lower() and "0.4 to 0.8 litres an hour" in page
    assert "the more the better" not in page
    for source in ("Schwellnus MP (2009)", "Miller KC", "Hew-Butler T", "NICE guideline NG59"):
        assert source in page


def test_the_nav_links_to_cramps_and_the_dashboard_to_checkins(signed_in, app):
    page = signed_in.get("/").get_data(as_text=True)
    assert 'href="/cramps/new"' in page and 'href="/dashboard"' in page
    add_checkin(app, "pat@example.com")
    dashboard = signed_in.get("/dashboard").get_data(as_text=True)
    assert 'href="/checkins"' in dashboard


SUMMARY = re.compile(
    r'<div class="error-summary" role="alert" tabindex="-1" data-error-summary>(.*?)</div>', re.S
)


def summary_lines(page: str) -> list[tuple[str, str]]:
    """The error summary's links: (target id, words), in order."""
    found = SUMMARY.search(page)
    assert found, "no error summary"
    return re.findall(r'<a href="#([^"]+)">([^<]+)</a>', found.group(1))


def test_an_empty_cramp_submit_shows_the_errors_and_saves_nothing(signed_in, app):
    form = signed_in.get("/cramps/new").get_data(as_text=True)
    as_rendered = {
        "csrf_token": csrf_token(signed_in, "/cramps/new"),
        "client_id": re.search(r'name="client_id" value="([^"]+)"', form).group(1),
        "recorded_date": re.search(r'name="recorded_date" value="([^"]+)"', form).group(1),
        "recorded_time": re.search(r'name="recorded_time" value="([^"]+)"', form).group(1),
        "cramp_severity": "1",
    }
    for headers in ({}, {"HX-Request": "true"}):
        response = signed_in.post("/cramps/new", data=as_rendered, headers=headers)
        page = response.get_data(as_text=True)
        assert response.status_code == 200
        assert summary_lines(page) == [
            ("cramp_timing-0", "When did it cramp? Say when the cramp came.")
        ]
        assert 'id="cramp_timing-error"' in page
    nothing = {"csrf_token": as_rendered["csrf_token"]}
    page = signed_in.post("/cramps/new", data=nothing).get_data(as_text=True)
    assert summary_lines(page) == [
        ("checkin-form", "This check-in: This form was incomplete. Reload the page and try again."),
        ("cramp_severity-0", "How bad was the cramp? This is required."),
    ]
    assert count(app) == 0


def test_the_summary_uses_the_questions_in_form_order(signed_in, app):
    data = form_data(signed_in, notes="x" * 1001, water_ml="abc", cramp_timing="", exertion="")
    page = signed_in.post("/checkins/new", data=data).get_data(as_text=True)
    lines = summary_lines(page)
    assert [target for target, _ in lines] == ["cramp_timing-0", "water_ml", "notes"]
    assert lines[0][1] == "When did it cramp? Say when the cramp came."
    assert lines[1][1].startswith("Water before, during and after: ")
    assert lines[2][1].startswith("Notes: Keep the notes to 1,000")
    # Raw field names never reach the person; every named field is marked invalid.
    assert "water ml" not in page and "cramp timing" not in page
    for target, _ in lines:
        assert re.search(f'id="{target}"[^>]*aria-invalid="true"', page), target
    assert count(app) == 0


def test_log_a_cramp_asks_only_what_fits_a_cramp_at_rest(signed_in):
    page = signed_in.get("/cramps/new").get_data(as_text=True)
    for name in ("water_ml", "electrolytes", "sweat", "exertion"):
        assert f'name="{name}"' not in page, name
    assert 'value="during_stretch"' not in page and 'value="after_stretch"' not in page


def test_log_a_cramp_opens_at_now_in_the_persons_timezone(client, auth, app):
    auth.register(tz="Pacific/Auckland")
    page = client.get("/cramps/new").get_data(as_text=True)
    now = datetime.now(ZoneInfo("Pacific/Auckland"))
    shown = re.search(r'name="recorded_date" value="([^"]+)" max="([^"]+)"', page)
    assert shown.group(1) == shown.group(2) == now.date().isoformat()
    clock = re.search(r'name="recorded_time" value="(\d\d:\d\d)"', page).group(1)
    gap = now.replace(tzinfo=None) - datetime.combine(now.date(), time.fromisoformat(clock))
    assert timedelta(0) <= gap < timedelta(minutes=2)


def test_a_cramp_in_the_night_keeps_its_night(client, auth, app):
    auth.register(tz="Europe/Paris")
    night = datetime.now(ZoneInfo("Europe/Paris")).date() - timedelta(days=1)
    data = {
        "csrf_token": csrf_token(client, "/cramps/new"),
        "client_id": str(uuid.uuid4()),
        "recorded_date": night.isoformat(),
        "recorded_time": "03:10",
        "cramp_severity": "2",
        "cramp_timing": "night",
    }
    assert client.post("/cramps/new", data=data).status_code == 303
    with app.app_context():
        checkin = db.session.scalar(select(Checkin))
    expected = datetime.combine(night, time(3, 10), tzinfo=ZoneInfo("Europe/Paris"))
    assert checkin.recorded_at == expected.astimezone(UTC)
    assert checkin.recorded_local.utcoffset() == expected.utcoffset()
    assert checkin.water_ml is None and checkin.exertion is None and checkin.electrolytes == []


@pytest.mark.parametrize(
    ("day", "clock", "message"),
    [
        ("tomorrow", "08:00", "That is later than now: check the date and time."),
        ("", "08:00", "Give the date, e.g. 2026-03-01."),
        ("today", "25:00", "Give the time, e.g. 23:30."),
        ("1999-12-31", "23:00", "That time is not plausible: check the date."),
    ],
)
def test_a_cramp_time_that_cannot_be_is_refused(signed_in, app, day, clock, message):
    today = datetime.now(UTC).date()
    day = {"today": today, "tomorrow": today + timedelta(days=1)}.get(day, day)
    data = {
        "csrf_token": csrf_token(signed_in, "/cramps/new"),
        "client_id": str(uuid.uuid4()),
        "recorded_date": str(day),
        "recorded_time": clock,
        "cramp_severity": "1",
        "cramp_timing": "at_rest",
    }
    page = signed_in.post("/cramps/new", data=data).get_data(as_text=True)
    assert summary_lines(page) == [("recorded_date", f"Date and time: {message}")]
    assert count(app) == 0


def test_the_api_takes_a_cramp_without_workout_fields(signed_in, app):
    body = {
        "client_id": str(uuid.uuid4()),
        "recorded_at": "2026-03-01T03:10:00+01:00",
        "cramp_severity": 2,
        "cramp_timing": "night",
        "cramp_locations": ["lower_back_left"],
    }
    headers = {"X-CSRFToken": csrf_token(signed_in, "/")}
    response = signed_in.post("/api/checkins", json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    saved = response.get_json()
    assert saved["recorded_at"] == "2026-03-01T03:10:00+01:00"
    assert saved["water_ml"] is None and saved["exertion"] is None and saved["sweat"] is None


def test_a_saved_checkin_says_where_to_go_next(signed_in, app):
    response = signed_in.post(
        "/cramps/new",
        data=form_data(signed_in, "/cramps/new", cramp_timing="at_rest"),
        headers={"HX-Request": "true"},
    )
    page = response.get_data(as_text=True)
    nav = re.search(r'<nav class="next-steps" aria-label="What next">(.*?)</nav>', page, re.S)
    assert re.findall(r'href="([^"]+)"', nav.group(1)) == [
        "/dashboard",
        "/routines",
        "/checkins",
        "/",
    ]
    assert 'id="saved-heading" tabindex="-1" data-focus-on-arrival' in page
    # Kept on the phone offline, the check-in leads on too: the form page carries the links.
    form_page = signed_in.get("/cramps/new").get_data(as_text=True)
    assert '<template id="checkin-next-steps">' in form_page


def test_back_at_a_sessions_form_the_checkin_made_opens_to_edit(signed_in, app):
    session_id = add_session(app, "pat@example.com")
    path = f"/checkins/new?session={session_id}"
    data = form_data(signed_in, path, session_id=str(session_id))
    assert signed_in.post(path, data=data).status_code == 303
    response = signed_in.get(path)
    with app.app_context():
        checkin_id = db.session.scalar(select(Checkin.id))
    assert response.status_code == 303
    assert response.headers["Location"] == f"/checkins/{checkin_id}/edit"
    page = signed_in.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your check-in after this session" in page and "You already checked in" in page
    assert 'value="after_stretch" checked' in page and 'value="250"' in page
    # Changing it there keeps one check-in for the session.
    edit = form_data(signed_in, f"/checkins/{checkin_id}/edit", pain="5")
    edit.pop("recorded_at")
    edit.update(client_id=data["client_id"], session_id=str(session_id))
    edit.update(recorded_date=datetime.now(UTC).date().isoformat(), recorded_time="00:00")
    assert signed_in.post(f"/checkins/{checkin_id}/edit", data=edit).status_code == 303
    assert count(app) == 1
    with app.app_context():
        assert db.session.scalar(select(Checkin.pain)) == 5


def test_an_edit_keeps_the_stored_time_unless_it_is_changed(client, auth, app):
    auth.register(tz="Europe/Paris")
    made = datetime(2026, 3, 1, 23, 40, 17, tzinfo=ZoneInfo("Europe/Paris"))
    checkin_id = add_checkin(app, "pat@example.com", recorded_at=made.astimezone(UTC))
    path = f"/checkins/{checkin_id}/edit"
    page = client.get(path).get_data(as_text=True)
    assert 'name="recorded_date" value="2026-03-01"' in page
    assert 'name="recorded_time" value="23:40"' in page
    with app.app_context():
        client_id = db.session.get(Checkin, checkin_id).client_id
    data = {"csrf_token": csrf_token(client, path), "client_id": client_id, "cramp_severity": "0"}
    data.update(recorded_date="2026-03-01", recorded_time="23:40")
    assert client.post(path, data=data).status_code == 303
    with app.app_context():
        assert db.session.get(Checkin, checkin_id).recorded_at == made.astimezone(UTC)
    data.update(recorded_time="22:05")
    assert client.post(path, data=data).status_code == 303
    with app.app_context():
        moved = db.session.get(Checkin, checkin_id)
        assert moved.recorded_at == datetime(2026, 3, 1, 21, 5, tzinfo=UTC)
        assert moved.recorded_offset_minutes == 60
