"""The check-in and cramp forms, history, advice and learn pages."""

import re
import uuid

import pytest
from sqlalchemy import func, select

from crampcare.extensions import db
from crampcare.logbook.rules import FIELDS
from crampcare.models import Checkin, User

from .conftest import Auth, csrf_token
from .records import add_checkin

FORM_FIELDS = [name for name in FIELDS if name != "session_id"]


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


@pytest.mark.parametrize("path", ["/checkins/new", "/cramps/new"])
def test_the_forms_carry_every_field(signed_in, path):
    page = signed_in.get(path).get_data(as_text=True)
    for name in FORM_FIELDS:
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
    assert "(fl oz)" in page and "+8.5 fl oz" in page
    signed_in.post("/checkins/new", data=form_data(signed_in, water_ml="16.9"))
    with app.app_context():
        assert db.session.scalar(select(Checkin.water_ml)) == 500


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
