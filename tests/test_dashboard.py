"""The dashboard: its panels as fragments and pages, range, paging, inline edit and delete."""

import re
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import render_template, url_for
from sqlalchemy import func, select

from crampcare.extensions import db
from crampcare.logbook import panels
from crampcare.models import Checkin, User, WorkoutSession, utcnow

from .conftest import Auth, csrf_token

pytestmark = pytest.mark.postgres

HX = {"HX-Request": "true"}
PANELS = [
    ("/dashboard", 'id="range-panels"'),
    ("/dashboard/advice", 'id="advice-panel"'),
    ("/dashboard/sessions", 'id="sessions-panel"'),
    ("/dashboard/chart?range=7", 'id="chart-panel"'),
    ("/dashboard/water?range=90", 'id="water-panel"'),
    ("/dashboard/checkins", 'class="checkin-row"'),
]


@pytest.fixture
def patient(client, auth):
    """A signed-in patient; returns their user id."""
    auth.register()
    with client.application.app_context():
        return db.session.scalar(select(User.id).where(User.email == "pat@example.com"))


def add_checkin(app, user_id, days_ago=0.0, severity=0, water=None, notes=None) -> int:
    """Store a check-in `days_ago` days back; return its id."""
    with app.app_context():
        checkin = Checkin(
            user_id=user_id,
            client_id=str(uuid.uuid4()),
            recorded_at=utcnow() - timedelta(days=days_ago),
            cramp_severity=severity,
            cramp_timing="after_stretch" if severity else None,
            water_ml=water,
            notes=notes,
        )
        db.session.add(checkin)
        db.session.commit()
        return checkin.id


def add_session(app, user_id, days_ago=0.0) -> None:
    """Store a ten-minute session `days_ago` days back."""
    with app.app_context():
        start = utcnow() - timedelta(days=days_ago)
        db.session.add(
            WorkoutSession(
                user_id=user_id,
                client_id=str(uuid.uuid4()),
                routine_slug="gentle-lower-back-release",
                started_at=start,
                ended_at=start + timedelta(minutes=10),
                steps_completed=6,
                steps_total=6,
            )
        )
        db.session.commit()


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.mark.parametrize(("path", "marker"), PANELS)
def test_each_panel_is_a_fragment_for_htmx_and_the_page_otherwise(
    client, app, patient, path, marker
):
    add_checkin(app, patient, days_ago=1, severity=2, water=300)
    fragment = client.get(path, headers=HX)
    assert fragment.status_code == 200
    assert "<html" not in text(fragment) and marker in text(fragment)
    assert "HX-Request" in fragment.headers["Vary"]
    assert fragment.headers["Cache-Control"] == "no-store"
    page = client.get(path)
    assert "<html" in text(page) and marker in text(page)
    assert 'id="advice-panel"' in text(page) and 'id="recent-panel"' in text(page)
    assert "HX-Request" in page.headers["Vary"]
    assert page.headers["Cache-Control"] == "no-store"


def test_a_boosted_request_gets_the_whole_page(client, app, patient):
    add_checkin(app, patient)
    response = client.get("/dashboard/advice", headers={**HX, "HX-Boosted": "true"})
    assert "<html" in text(response)


def test_panels_refresh_on_checkin_saved(client, app, patient):
    add_checkin(app, patient)
    page = text(client.get("/dashboard"))
    for panel in ("advice-panel", "chart-panel", "water-panel"):
        root = re.search(rf'<section id="{panel}"[^>]*>', page).group(0)
        assert 'hx-trigger="checkin-saved from:body"' in root
        assert 'hx-target="this"' in root and 'hx-swap="outerHTML"' in root


def test_the_range_changes_the_numbers(client, app, patient):
    add_checkin(app, patient, days_ago=20, severity=2, water=200)
    add_checkin(app, patient, days_ago=1, severity=0, water=900)
    week = text(client.get("/dashboard/chart?range=7", headers=HX))
    month = text(client.get("/dashboard/chart?range=28", headers=HX))
    assert re.search(r'stat-number">0</span> cramps in the last 7 days', week)
    assert re.search(r'stat-number">1</span> cramp in the last 28 days', month)
    water_week = text(client.get("/dashboard/water?range=7", headers=HX))
    water_month = text(client.get("/dashboard/water?range=28", headers=HX))
    assert "200 ml" not in water_week and "200 ml" in water_month
    # The page's range links are real links that htmx pushes into the history.
    page = text(client.get("/dashboard?range=90"))
    assert 'href="/dashboard?range=7"' in page and 'hx-push-url="true"' in page
    assert re.search(r'href="/dashboard\?range=90"[^>]*aria-current="true"', page)


def test_an_unknown_range_falls_back_to_28_days(client, app, patient):
    add_checkin(app, patient, days_ago=1, severity=1)
    assert "in the last 28 days" in text(client.get("/dashboard/chart?range=5", headers=HX))


def test_load_more_returns_the_next_rows(client, app, patient):
    ids = [add_checkin(app, patient, days_ago=n, notes=f"note {n}") for n in range(13)]
    first = text(client.get("/dashboard"))
    assert "note 0" in first and "note 9" in first and "note 10" not in first
    more = re.search(r'class="load-more">\s*<a[^>]*hx-get="([^"]+)"', first).group(1)
    assert f"before={ids[9]}" in more
    rows = text(client.get(more.replace("&amp;", "&"), headers=HX))
    assert "<html" not in rows
    assert "note 10" in rows and "note 12" in rows and "note 9" not in rows
    assert "load-more" not in rows
    # Without JavaScript the same link renders the whole dashboard from that point.
    page = text(client.get(more.replace("&amp;", "&")))
    assert "<html" in page and "note 10" in page and "Back to the newest" in page


def test_inline_edit_swaps_the_row_for_the_form_and_back(client, app, patient):
    checkin_id = add_checkin(app, patient, water=400, notes="before")
    form = client.get(f"/dashboard/checkins/{checkin_id}/edit", headers=HX)
    assert f'id="checkin-{checkin_id}"' in text(form) and 'hx-target="closest li"' in text(form)
    assert "<html" not in text(form) and 'name="csrf_token"' in text(form)
    cancel = client.get(f"/dashboard/checkins/{checkin_id}", headers=HX)
    assert f'<li id="checkin-{checkin_id}"' in text(cancel) and "before" in text(cancel)
    with app.app_context():
        stored = db.session.get(Checkin, checkin_id)
        data = {
            "csrf_token": csrf_token(client, "/dashboard"),
            "client_id": stored.client_id,
            "recorded_at": stored.recorded_local.isoformat(),
            "cramp_severity": "1",
            "cramp_timing": "night",
            "water_ml": "700",
            "water_unit": "ml",
            "notes": "after",
        }
    saved = client.post(f"/dashboard/checkins/{checkin_id}/edit", data=data, headers=HX)
    assert saved.status_code == 200
    assert saved.headers["HX-Trigger"] == "checkin-saved"
    assert f'<li id="checkin-{checkin_id}"' in text(saved) and "after" in text(saved)
    with app.app_context():
        assert db.session.get(Checkin, checkin_id).water_ml == 700


def test_inline_edit_with_bad_input_shows_the_form_and_saves_nothing(client, app, patient):
    checkin_id = add_checkin(app, patient, water=400)
    with app.app_context():
        client_id = db.session.get(Checkin, checkin_id).client_id
    data = {
        "csrf_token": csrf_token(client, "/dashboard"),
        "client_id": client_id,
        "cramp_severity": "2",
        "cramp_timing": "",
        "water_ml": "9000",
        "water_unit": "ml",
    }
    response = client.post(f"/dashboard/checkins/{checkin_id}/edit", data=data, headers=HX)
    assert "HX-Trigger" not in response.headers
    assert 'id="water_ml-error"' in text(response) and "Say when the cramp came." in text(response)
    with app.app_context():
        assert db.session.get(Checkin, checkin_id).water_ml == 400


def test_inline_delete_answers_nothing_and_the_trigger(client, app, patient):
    checkin_id = add_checkin(app, patient)
    token = csrf_token(client, "/dashboard")
    response = client.post(
        f"/dashboard/checkins/{checkin_id}/delete", headers={**HX, "X-CSRFToken": token}
    )
    assert response.status_code == 200 and text(response) == ""
    assert response.headers["HX-Trigger"] == "checkin-saved"
    with app.app_context():
        assert db.session.scalar(select(func.count(Checkin.id))) == 0


def test_delete_without_javascript_redirects_to_the_dashboard(client, app, patient):
    checkin_id = add_checkin(app, patient)
    token = csrf_token(client, "/dashboard")
    response = client.post(f"/dashboard/checkins/{checkin_id}/delete", data={"csrf_token": token})
    assert response.status_code == 303 and response.headers["Location"].endswith("/dashboard")


def test_delete_needs_the_csrf_token(client, app, patient):
    checkin_id = add_checkin(app, patient)
    assert client.post(f"/dashboard/checkins/{checkin_id}/delete", headers=HX).status_code == 400


@pytest.mark.parametrize(
    ("method", "suffix"), [("get", ""), ("get", "/edit"), ("post", "/edit"), ("post", "/delete")]
)
def test_another_users_checkin_is_404(client, app, patient, method, suffix):
    checkin_id = add_checkin(app, patient)
    other = app.test_client()
    Auth(other).register(email="other@example.com")
    token = csrf_token(other, "/dashboard")
    response = getattr(other, method)(
        f"/dashboard/checkins/{checkin_id}{suffix}", headers={**HX, "X-CSRFToken": token}
    )
    assert response.status_code == 404
    with app.app_context():
        assert db.session.scalar(select(func.count(Checkin.id))) == 1


def test_an_empty_account_sees_the_first_run_dashboard(client, patient):
    response = client.get("/dashboard")
    page = text(response)
    assert response.status_code == 200
    assert "Your dashboard fills in as you go" in page
    assert "Start a routine" in page and 'href="/cramps/new"' in page
    assert 'id="chart-panel"' not in page


def test_the_week_and_streak(client, app, patient):
    now = utcnow()
    # Days since the Tuesday noon of last week (UTC is the patient's zone): whole weeks apart.
    last_tuesday = now.weekday() + 7 - 1 + (now.hour - 12) / 24
    for weeks_back in (0, 1):
        for hours in (0, 24):
            add_session(app, patient, days_ago=last_tuesday + 7 * weeks_back - hours / 24)
    page = text(client.get("/dashboard/sessions", headers=HX))
    assert re.search(r'stat-number">2</span> week streak', page)
    assert "at least 2 sessions" in page


def test_the_advice_panel_lists_its_evidence(client, app, patient):
    for n in range(3):
        add_checkin(app, patient, days_ago=n + 1, severity=3, water=200)
    page = text(client.get("/dashboard/advice", headers=HX))
    assert "<details" in page and "Severe cramp" in page
    assert "/learn#" in page and "not a diagnosis" in page


def test_a_clinician_is_redirected(client, auth):
    auth.register(email="doc@example.com", role="clinician")
    response = client.get("/dashboard")
    assert response.status_code == 303
    location = response.headers["Location"]
    assert location.endswith("/clinician/patients") or location.endswith("/")


@pytest.mark.parametrize("path", [path for path, _ in PANELS])
def test_the_dashboard_needs_a_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_landing_page_leads_to_a_routine_and_a_cramp(client, patient):
    page = text(client.get("/"))
    assert "Start a routine" in page and 'href="/cramps/new"' in page
    assert 'href="/dashboard"' in page


def test_a_checkin_without_javascript_lands_on_the_dashboard(client, patient):
    data = {
        "csrf_token": csrf_token(client, "/cramps/new"),
        "client_id": str(uuid.uuid4()),
        "cramp_severity": "1",
        "cramp_timing": "night",
        "water_ml": "250",
        "water_unit": "ml",
    }
    response = client.post("/cramps/new", data=data)
    assert response.status_code == 303 and response.headers["Location"].endswith("/dashboard")


def test_the_panels_render_read_only_for_a_given_patient(client, app, patient):
    add_checkin(app, patient, days_ago=2, severity=2, water=300, notes="shown")
    with app.test_request_context("/clinician/patients/1"):
        user = db.session.get(User, patient)
        html = render_template(
            "dashboard/_panels.html",
            patient=user,
            read_only=True,
            panel_url=lambda name, **args: url_for("dashboard.index", **args),
            **panels.dashboard(user, 28),
        )
    assert "shown" in html and 'id="chart-panel"' in html
    assert "<form" not in html and "Edit" not in html and "hx-trigger" not in html


def store_checkin_at(app, user_id, recorded_at, severity) -> None:
    with app.app_context():
        db.session.add(
            Checkin(
                user_id=user_id,
                client_id=str(uuid.uuid4()),
                recorded_at=recorded_at,
                cramp_severity=severity,
                cramp_timing="after_stretch" if severity else None,
            )
        )
        db.session.commit()


def test_the_7_day_total_and_its_bars_count_the_same_days(app, patient):
    # Thursday 26 Nov: the 7 days begin on Friday 20 Nov, inside the week of Monday 16 Nov.
    now = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    store_checkin_at(app, patient, datetime(2026, 11, 18, 9, 0, tzinfo=UTC), 2)  # before
    store_checkin_at(app, patient, datetime(2026, 11, 19, 23, 59, tzinfo=UTC), 1)  # just before
    store_checkin_at(app, patient, datetime(2026, 11, 20, 0, 0, tzinfo=UTC), 3)  # the first day
    store_checkin_at(app, patient, datetime(2026, 11, 24, 8, 0, tzinfo=UTC), 1)
    with app.app_context():
        chart = panels.chart_panel(db.session.get(User, patient), 7, now)
    assert chart["cramps_in_range"] == 2
    assert [(bar.week_start, bar.cramps) for bar in chart["weeks"]] == [
        (date(2026, 11, 20), 1),
        (date(2026, 11, 23), 1),
    ]
    assert sum(bar.cramps for bar in chart["weeks"]) == chart["cramps_in_range"]
    assert "2 cramps over 2 weeks" in chart["svg"]


def test_the_chart_says_where_a_part_week_begins(client, app, patient):
    add_checkin(app, patient, days_ago=1, severity=2)
    page = text(client.get("/dashboard/chart?range=7", headers=HX))
    first = (utcnow() - timedelta(days=6)).date()
    if first.weekday():
        assert f"the first from {first.day} {first:%b}, where the 7 days begin" in page
    else:
        assert "the first from" not in page


@pytest.mark.parametrize(
    ("sessions_this_week", "words"),
    [
        (0, "This week joins it with 2 more sessions."),
        (1, "This week joins it with 1 more session."),
        (2, "This week already counts."),
        (3, "This week already counts."),
    ],
)
def test_the_streak_note_reads_this_weeks_count(client, app, patient, sessions_this_week, words):
    now = utcnow()
    since_monday = now.weekday() + now.hour / 24  # days since this Monday's midnight, UTC
    for n in range(sessions_this_week):
        add_session(app, patient, days_ago=since_monday * n / max(sessions_this_week, 1))
    page = text(client.get("/dashboard/sessions", headers=HX))
    assert f'stat-number">{sessions_this_week}</span> session' in page
    assert words in page
    assert "joins it once it has" not in page
