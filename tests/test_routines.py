"""Routine pages: the library, filters, the player page, and a patient's private builder."""

import html
import json
import re

import pytest
from sqlalchemy import func, select

from crampcare.advice import AdviceItem
from crampcare.extensions import db
from crampcare.models import Routine, Step, User
from crampcare.routine_library import LIBRARY, SAFETY_NOTE, routine_by_slug
from crampcare.routine_safety import CAUTION_NOTES
from crampcare.routines import queries
from crampcare.seed import seed_routines
from crampcare.timeline import build_timeline, format_duration, total_seconds

from .conftest import Auth, csrf_token
from .records import add_checkin

TIMELINE = re.compile(r'<script type="application/json" id="timeline">(.*?)</script>', re.S)
IMPORT_MAP = '<script type="importmap">'
STEP = {
    "title": "Cat-cow",
    "instructions": "Round and arch the back slowly.",
    "hold_seconds": "30",
    "reps": "2",
    "side": "none",
    "rest_seconds": "5",
    "cue": "Round up, dip down.",
}


@pytest.fixture
def seeded(app):
    """The app with its routine library in the database."""
    with app.app_context():
        seed_routines()
    return app


def make_routine(client, title="Evening stretch") -> str:
    """Create an own routine through the form; return its slug."""
    response = client.post(
        "/routines/new",
        data={
            "title": title,
            "difficulty": "gentle",
            "area": "lower",
            "csrf_token": csrf_token(client, "/routines/new"),
        },
    )
    assert response.status_code == 303
    return response.headers["Location"].split("/")[-2]


def add_step(client, slug, headers=None, **changes):
    """Post the add-step form of the builder."""
    data = {**STEP, **changes, "csrf_token": csrf_token(client, f"/routines/{slug}/edit")}
    return client.post(f"/routines/{slug}/steps", data=data, headers=headers or {})


def step_titles(app, slug) -> list[str]:
    with app.app_context():
        routine = db.session.scalar(select(Routine).where(Routine.slug == slug))
        titles = [(step.position, step.title) for step in routine.steps]
        db.session.remove()
    assert [position for position, _ in titles] == list(range(len(titles)))
    return [title for _, title in titles]


def test_list_shows_every_library_routine_with_its_length(client, seeded):
    page = client.get("/routines").get_data(as_text=True)
    for spec in LIBRARY:
        assert html.escape(spec.title) in page
        assert format_duration(total_seconds(spec.steps)) in page


def test_list_filters_by_area_and_difficulty(client, seeded):
    page = client.get("/routines?area=mid&difficulty=gentle").get_data(as_text=True)
    assert "Mid back desk unwind" in page
    assert "Mid back mobility" not in page
    assert "Gentle lower back release" not in page
    # The filter is a real GET form that works without JavaScript.
    assert 'method="get"' in page
    assert '<option value="mid" selected>' in page


def test_list_filter_answers_a_fragment_to_htmx(client, seeded):
    response = client.get("/routines?area=upper", headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert "<html" not in body
    assert body.startswith('<div id="routine-results"')
    assert "Upper back opener" in body and "Mid back mobility" not in body
    assert "HX-Request" in response.headers["Vary"]


@pytest.mark.parametrize("spec", LIBRARY, ids=lambda spec: spec.slug)
def test_routine_page_has_steps_time_safety_note_and_start(client, seeded, spec):
    response = client.get(f"/routines/{spec.slug}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert SAFETY_NOTE in page
    assert f"Total time {format_duration(total_seconds(spec.steps))}" in page
    assert f'href="/routines/{spec.slug}/play"' in page
    for step in spec.steps:
        assert html.escape(step.instructions) in page


def test_player_page_holds_its_timeline_as_a_data_block(client, seeded):
    spec = LIBRARY[0]
    response = client.get(f"/routines/{spec.slug}/play")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    data = json.loads(TIMELINE.search(page).group(1))
    assert data["segments"] == [segment.to_dict() for segment in build_timeline(spec.steps)]
    assert data["steps_total"] == len(spec.steps)
    assert SAFETY_NOTE in page
    assert 'data-save-url="/api/sessions"' in page
    # Every script is a file, a data block or the import map the CSP allows by its hash
    # (tests/test_headers.py): nothing inline for the CSP to refuse.
    for tag in re.findall(r"<script[^>]*>", page):
        assert "src=" in tag or tag in (
            '<script type="application/json" id="timeline">',
            IMPORT_MAP,
        )
    assert page.count(IMPORT_MAP) == 1
    assert "style=" not in page


def test_player_goes_on_to_the_checkin(client, seeded):
    page = client.get(f"/routines/{LIBRARY[0].slug}/play").get_data(as_text=True)
    assert 'data-next-url="/checkins/new"' in page


def test_unknown_routine_is_404(client, seeded):
    assert client.get("/routines/no-such-routine").status_code == 404
    assert client.get("/routines/no-such-routine/play").status_code == 404


def test_builder_pages_need_a_sign_in(client, seeded):
    response = client.get("/routines/new")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_builder_adds_reorders_and_removes_steps(client, seeded, auth, app):
    auth.register()
    slug = make_routine(client)
    for title in ("One", "Two", "Three"):
        assert add_step(client, slug, title=title).status_code == 303
    assert step_titles(app, slug) == ["One", "Two", "Three"]

    with app.app_context():
        ids = db.session.scalars(
            select(Step.id).join(Routine).where(Routine.slug == slug).order_by(Step.position)
        ).all()
    edit_token = csrf_token(client, f"/routines/{slug}/edit")
    move = client.post(
        f"/routines/{slug}/steps/{ids[2]}/move", data={"direction": "up", "csrf_token": edit_token}
    )
    assert move.status_code == 303
    assert step_titles(app, slug) == ["One", "Three", "Two"]
    # Moving the first step up changes nothing.
    client.post(
        f"/routines/{slug}/steps/{ids[0]}/move", data={"direction": "up", "csrf_token": edit_token}
    )
    assert step_titles(app, slug) == ["One", "Three", "Two"]

    remove = client.post(f"/routines/{slug}/steps/{ids[0]}/remove", data={"csrf_token": edit_token})
    assert remove.status_code == 303
    assert step_titles(app, slug) == ["Three", "Two"]
    page = client.get(f"/routines/{slug}").get_data(as_text=True)
    assert SAFETY_NOTE in page
    # Two steps, each two rounds of a 30 s hold and a 5 s rest, less the final rest.
    assert "Total time 2 min 15 s" in page


def test_builder_answers_htmx_with_the_component(client, seeded, auth, app):
    auth.register()
    slug = make_routine(client)
    response = add_step(client, slug, headers={"HX-Request": "true"}, title="Bridge")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in body
    assert body.lstrip().startswith('<section id="builder"')
    assert 'hx-target="this"' in body and 'hx-swap="outerHTML"' in body
    assert "Bridge" in body
    # Without the header, the same URL renders the whole page.
    page = add_step(client, slug, title="Sphinx", hold_seconds="0").get_data(as_text=True)
    assert "<html" in page and 'id="builder"' in page


def test_builder_write_without_csrf_is_refused(client, seeded, auth, app):
    auth.register()
    slug = make_routine(client)
    response = client.post(f"/routines/{slug}/steps", data=STEP)
    assert response.status_code == 400
    assert step_titles(app, slug) == []


def test_bad_step_names_each_field_and_saves_nothing(client, seeded, auth, app):
    auth.register()
    slug = make_routine(client)
    response = add_step(
        client,
        slug,
        title="",
        instructions="",
        hold_seconds="0",
        reps="many",
        side="upside-down",
        rest_seconds="-1",
        cue="x" * 201,
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for name in ("title", "instructions", "hold_seconds", "reps", "side", "rest_seconds", "cue"):
        assert f'id="{name}-error"' in page, name
    assert step_titles(app, slug) == []


def test_bad_routine_names_each_field_and_saves_nothing(client, seeded, auth, app):
    auth.register()
    response = client.post(
        "/routines/new",
        data={
            "title": "",
            "difficulty": "extreme",
            "area": "legs",
            "csrf_token": csrf_token(client, "/routines/new"),
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for name in ("title", "difficulty", "area"):
        assert f'id="{name}-error"' in page, name
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(Routine.owner_id.is_not(None))) == 0


@pytest.mark.postgres
def test_own_routine_slugs_are_unique(client, seeded, auth):
    auth.register()
    first, second = (
        make_routine(client, "Évening stretch!"),
        make_routine(client, "Évening stretch!"),
    )
    assert first != second
    assert first.startswith("evening-stretch-") and second.startswith("evening-stretch-")


def test_own_routines_are_private(client, seeded, auth, app):
    auth.register()
    slug = make_routine(client, "My secret stretch")
    add_step(client, slug)
    assert "My secret stretch" in client.get("/routines").get_data(as_text=True)
    assert client.get(f"/routines/{slug}/play").status_code == 200

    other = app.test_client()
    Auth(other).register(email="other@example.com")
    token = csrf_token(other, "/routines")
    assert "My secret stretch" not in other.get("/routines").get_data(as_text=True)
    with app.app_context():
        step_id = db.session.scalar(select(Step.id).join(Routine).where(Routine.slug == slug))
    for path in (f"/routines/{slug}", f"/routines/{slug}/play", f"/routines/{slug}/edit"):
        assert other.get(path).status_code == 404, path
    for path in (
        f"/routines/{slug}/steps",
        f"/routines/{slug}/steps/{step_id}/move",
        f"/routines/{slug}/steps/{step_id}/remove",
        f"/routines/{slug}/delete",
    ):
        response = other.post(path, data={**STEP, "direction": "up", "csrf_token": token})
        assert response.status_code == 404, path
    assert step_titles(app, slug) == ["Cat-cow"]
    signed_out = app.test_client()
    assert signed_out.get(f"/routines/{slug}").status_code == 404


def test_library_routines_cannot_be_edited(client, seeded, auth):
    auth.register()
    assert client.get(f"/routines/{LIBRARY[0].slug}/edit").status_code == 404


def test_delete_own_routine(client, seeded, auth, app):
    auth.register()
    slug = make_routine(client)
    token = csrf_token(client, f"/routines/{slug}/edit")
    assert client.post(f"/routines/{slug}/delete", data={"csrf_token": token}).status_code == 303
    assert client.get(f"/routines/{slug}").status_code == 404


def test_rename_own_routine(client, seeded, auth, app):
    auth.register()
    slug = make_routine(client)
    token = csrf_token(client, f"/routines/{slug}/edit")
    fields = {"routine-difficulty": "moderate", "routine-area": "mid", "csrf_token": token}
    bad = client.post(f"/routines/{slug}/edit", data={**fields, "routine-title": ""})
    assert bad.status_code == 200
    assert 'id="routine-title-error"' in bad.get_data(as_text=True)
    good = client.post(f"/routines/{slug}/edit", data={**fields, "routine-title": "Morning"})
    assert good.status_code == 303
    with app.app_context():
        routine = db.session.scalar(select(Routine).where(Routine.slug == slug))
        assert (routine.title, routine.difficulty, routine.area) == ("Morning", "moderate", "mid")


def test_home_offers_the_last_played_routine_to_start(client, seeded, auth):
    auth.register()
    first = client.get("/").get_data(as_text=True)
    assert 'href="/routines/gentle-lower-back-release/play"' in first
    token = csrf_token(client, "/routines")
    played = {
        "client_id": "0d2c6f9e-7b7e-4c55-9a59-1f3c9f0b6a21",
        "routine_slug": "mid-back-mobility",
        "started_at": "2026-03-01T18:00:00+00:00",
        "ended_at": "2026-03-01T18:10:00+00:00",
        "steps_completed": 1,
        "steps_total": 1,
    }
    assert (
        client.post("/api/sessions", json=played, headers={"X-CSRFToken": token}).status_code == 201
    )
    assert 'href="/routines/mid-back-mobility/play"' in client.get("/").get_data(as_text=True)


# ---- The picker: length, part of the back, level, favourites, recently played first ----


def card_titles(page: str) -> list[str]:
    return [
        html.unescape(title) for title in re.findall(r'class="card-link"[^>]*>([^<]+)</a>', page)
    ]


@pytest.mark.parametrize("minutes", [5, 10, 15])
def test_the_picker_filters_by_the_time_you_have(client, seeded, minutes):
    page = client.get(f"/routines?minutes={minutes}").get_data(as_text=True)
    fitting = {spec.title for spec in LIBRARY if total_seconds(spec.steps) <= minutes * 60}
    assert set(card_titles(page)) == fitting
    assert f'<option value="{minutes}" selected>Up to {minutes} min</option>' in page


def test_the_picker_combines_length_and_part_of_the_back(client, seeded):
    page = client.get("/routines?minutes=10&area=whole").get_data(as_text=True)
    expected = {
        spec.title for spec in LIBRARY if spec.area == "whole" and total_seconds(spec.steps) <= 600
    }
    assert expected and set(card_titles(page)) == expected
    # Values not offered are ignored, not an error.
    assert set(card_titles(client.get("/routines?minutes=7&area=feet").get_data(as_text=True))) == {
        spec.title for spec in LIBRARY
    }


def test_the_whole_card_is_one_link_to_the_routine(client, seeded):
    page = client.get("/routines").get_data(as_text=True)
    card = re.search(r'<li class="card routine-card">.*?</li>', page, re.S).group(0)
    assert len(re.findall(r"<a ", card)) == 1 and 'class="card-link"' in card


def star(client, slug, starred="yes", headers=None, next_url="/routines?minutes=10"):
    return client.post(
        f"/routines/{slug}/favourite",
        data={
            "csrf_token": csrf_token(client, "/routines"),
            "starred": starred,
            "next": next_url,
        },
        headers=headers or {},
    )


def test_a_star_without_javascript_saves_and_goes_back_to_the_list(client, seeded, auth):
    auth.register()
    response = star(client, "bedtime-lower-back-wind-down")
    assert response.status_code == 303
    assert response.headers["Location"] == "/routines?minutes=10"
    page = client.get("/routines?favourites=y").get_data(as_text=True)
    assert card_titles(page) == ["Bedtime lower back wind-down"]
    assert 'aria-pressed="true"' in page and 'name="starred" value="no"' in page
    # Starring twice keeps one star; unstarring takes it away.
    star(client, "bedtime-lower-back-wind-down")
    star(client, "bedtime-lower-back-wind-down", starred="no")
    page = client.get("/routines?favourites=y").get_data(as_text=True)
    assert card_titles(page) == [] and "among your favourites" in page


def test_a_star_with_htmx_answers_the_new_star(client, seeded, auth):
    auth.register()
    response = star(client, "upper-back-opener", headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body
    assert body.startswith('<form class="favourite-form"') and 'aria-pressed="true"' in body
    assert 'hx-post="/routines/upper-back-opener/favourite"' in body


def test_stars_are_each_persons_own(client, seeded, auth):
    auth.register()
    star(client, "upper-back-opener")
    auth.logout()
    auth.register(email="other@example.com")
    page = client.get("/routines").get_data(as_text=True)
    assert 'aria-pressed="true"' not in page


def test_a_star_goes_back_only_to_the_list(client, seeded, auth):
    auth.register()
    for elsewhere in ("https://evil.example/", "//evil.example/routines", "/dashboard"):
        response = star(client, "upper-back-opener", next_url=elsewhere)
        assert response.headers["Location"] == "/routines"


def test_a_star_needs_a_sign_in_csrf_and_a_routine_you_can_see(client, seeded, auth, app):
    response = client.post("/routines/upper-back-opener/favourite", data={"starred": "yes"})
    assert response.status_code in (302, 400)
    assert 'class="favourite-form"' not in client.get("/routines").get_data(as_text=True)
    auth.register()
    refused = client.post("/routines/upper-back-opener/favourite", data={"starred": "yes"})
    assert refused.status_code == 400
    other = make_routine(client, "Private one")
    auth.logout()
    auth.register(email="other@example.com")
    assert star(client, other).status_code == 404
    with app.app_context():
        from crampcare.models import FavouriteRoutine

        assert db.session.scalar(select(func.count()).select_from(FavouriteRoutine)) == 0


def test_recently_played_routines_come_first(client, seeded, auth, app):
    from datetime import UTC, datetime, timedelta

    from crampcare.models import User, WorkoutSession

    auth.register()
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.email == "pat@example.com"))
        start = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
        for days, slug in (
            (0, "upper-back-opener"),
            (2, "mid-back-mobility"),
            (1, "upper-back-opener"),
        ):
            db.session.add(
                WorkoutSession(
                    user_id=user_id,
                    client_id=f"c{days}",
                    routine_slug=slug,
                    started_at=start + timedelta(days=days),
                    ended_at=start + timedelta(days=days, minutes=10),
                    steps_completed=3,
                    steps_total=3,
                )
            )
        db.session.commit()
    page = client.get("/routines").get_data(as_text=True)
    titles = card_titles(page)
    assert titles[:2] == ["Mid back mobility", "Upper back opener"]
    rest = titles[2:]
    assert rest == sorted(rest, key=str.casefold)
    assert "Last played Tue 3 Mar 2026" in page and "Last played Mon 2 Mar 2026" in page
    # Signed out, the library reads by title.
    auth.logout()
    titles = card_titles(client.get("/routines").get_data(as_text=True))
    assert titles == sorted(titles, key=str.casefold)


# Safety: seeding keeps the library's wording, cautions, conflicts and the urgent gate.


def set_conditions(app, email, conditions):
    """Give an account profile conditions, as the profile form would store them."""
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        user.conditions = conditions
        db.session.commit()


def test_seeding_again_brings_old_steps_in_line_and_then_changes_nothing(app):
    with app.app_context():
        assert seed_routines() == (len(LIBRARY), 0)
        routine = db.session.scalar(
            select(Routine).where(Routine.slug == "bedtime-lower-back-wind-down")
        )
        hug = next(step for step in routine.steps if step.title == "Double knee hug")
        hug.instructions = "Hug the knees in; a slow rock is fine."
        hug.cautions = []
        tilt_routine = db.session.scalar(select(Routine).where(Routine.slug == LIBRARY[0].slug))
        tilt_routine.steps[0].moving = False
        db.session.commit()

        assert seed_routines() == (0, 2)
        assert seed_routines() == (0, 0)
        spec = routine_by_slug("bedtime-lower-back-wind-down")
        db.session.refresh(routine)
        stored = [(s.title, s.instructions, s.moving, s.cautions) for s in routine.steps]
        assert stored == [(s.title, s.instructions, s.moving, list(s.cautions)) for s in spec.steps]
        assert db.session.scalar(select(func.count(Step.id))) == sum(len(r.steps) for r in LIBRARY)
        db.session.remove()


def test_routine_page_explains_the_cautions_of_its_steps(client, seeded):
    page = client.get("/routines/gentle-lower-back-release").get_data(as_text=True)
    assert "Take care with" in page
    for caution in ("flexion", "supine"):
        assert html.escape(CAUTION_NOTES[caution]) in page
    assert html.escape(CAUTION_NOTES["strong_contraction"]) not in page
    assert '<span class="badge caution">Deep forward bend</span>' in page

    calm = client.get("/routines/neck-and-shoulders-reset").get_data(as_text=True)
    assert "Take care with" not in calm


def test_moving_steps_read_as_slow_repetitions(client, seeded):
    page = client.get("/routines/gentle-lower-back-release").get_data(as_text=True)
    assert "8 slow repetitions, about 5 s each, rest 10 s" in page
    player = client.get("/routines/gentle-lower-back-release/play").get_data(as_text=True)
    # The pelvic tilt comes first: the big number starts at the first repetition.
    assert 'data-kind="move">1 of 8</p>' in player


@pytest.mark.parametrize(
    ("condition", "conflicting", "suiting"),
    [
        ("osteoporosis", "gentle-lower-back-release", "upper-back-opener"),
        ("pregnancy", "bedtime-lower-back-wind-down", "mid-back-desk-unwind"),
    ],
)
def test_a_routine_that_conflicts_with_the_profile_is_marked(
    client, seeded, auth, app, condition, conflicting, suiting
):
    auth.register()
    set_conditions(app, "pat@example.com", [condition])

    page = client.get(f"/routines/{conflicting}").get_data(as_text=True)
    assert "Not advised for you" in page
    assert f"With {condition}:" in page
    assert 'class="card step step-conflict"' in page
    assert "Not advised for you" not in client.get(f"/routines/{suiting}").get_data(as_text=True)

    listing = client.get("/routines").get_data(as_text=True)
    card = listing.split(f'href="/routines/{conflicting}"')[0].rsplit("<li", 1)[1]
    assert "routine-conflict" in card


def test_suits_me_shows_only_the_routines_that_suit_the_profile(client, seeded, auth, app):
    auth.register()
    set_conditions(app, "pat@example.com", ["osteoporosis"])
    listing = client.get("/routines").get_data(as_text=True)
    assert 'name="suits" value="me"' in listing

    page = client.get("/routines?suits=me").get_data(as_text=True)
    shown = set(re.findall(r'href="/routines/([a-z0-9-]+)"', page)) & {r.slug for r in LIBRARY}
    expected = {
        spec.slug for spec in LIBRARY if not any("flexion" in step.cautions for step in spec.steps)
    }
    assert shown == expected
    assert {"neck-and-shoulders-reset", "upper-back-opener"} <= shown
    assert "routine-conflict" not in page
    assert "checked" in page.split('name="suits"')[1].split(">")[0]
    # htmx asks for the results alone, with the same filter.
    fragment = client.get("/routines?suits=me", headers={"HX-Request": "true"})
    assert "<html" not in fragment.get_data(as_text=True)
    assert "Gentle lower back release" not in fragment.get_data(as_text=True)


def test_suits_me_is_offered_only_where_the_profile_rules_something_out(client, seeded, auth):
    assert 'name="suits"' not in client.get("/routines").get_data(as_text=True)
    everything = client.get("/routines?suits=me").get_data(as_text=True)
    assert "Gentle lower back release" in everything
    auth.register()
    assert 'name="suits"' not in client.get("/routines").get_data(as_text=True)


def flag_today(app, email="pat@example.com", flag="fever"):
    """A check-in logged just now with a red flag, so urgent advice holds."""
    return add_checkin(app, email, red_flags=[flag])


def test_urgent_advice_puts_a_warning_and_a_confirmation_before_the_start(
    client, seeded, auth, app
):
    auth.register()
    flag_today(app)
    slug = LIBRARY[0].slug

    page = client.get(f"/routines/{slug}").get_data(as_text=True)
    assert page.index('class="urgent-banner"') < page.index("<h1>")
    assert "See a doctor today" in page
    assert f'href="/routines/{slug}/play"' not in page
    assert f'action="/routines/{slug}/play"' in page
    assert 'type="checkbox" name="understood" value="yes" required' in page

    gate = client.get(f"/routines/{slug}/play").get_data(as_text=True)
    assert 'id="timeline"' not in gate and "player.js" not in gate
    assert 'name="understood"' in gate

    unticked = client.get(f"/routines/{slug}/play?confirming=1").get_data(as_text=True)
    assert 'id="timeline"' not in unticked
    assert "Tick the box" in unticked

    player = client.get(f"/routines/{slug}/play?confirming=1&understood=yes")
    body = player.get_data(as_text=True)
    assert player.status_code == 200
    assert 'id="timeline"' in body
    assert body.index('class="urgent-banner compact"') < body.index('id="player"')
    assert 'name="understood"' not in body


def test_without_urgent_advice_the_routine_starts_in_one_tap(client, seeded, auth, app):
    auth.register()
    add_checkin(app, "pat@example.com")
    slug = LIBRARY[0].slug
    page = client.get(f"/routines/{slug}").get_data(as_text=True)
    assert "urgent-banner" not in page
    assert f'href="/routines/{slug}/play"' in page
    assert 'id="timeline"' in client.get(f"/routines/{slug}/play").get_data(as_text=True)


def test_an_emergency_item_gates_the_player_too(client, seeded, auth, monkeypatch):
    emergency = AdviceItem("emergency", "emergency", "Call for help now", "You logged it.", (), "")
    monkeypatch.setattr(queries, "advice_for", lambda user, now=None: (None, [emergency]))
    auth.register()
    page = client.get(f"/routines/{LIBRARY[0].slug}").get_data(as_text=True)
    assert "Get help now" in page and "Call for help now" in page
    gate = client.get(f"/routines/{LIBRARY[0].slug}/play").get_data(as_text=True)
    assert 'id="timeline"' not in gate


def test_each_routine_page_computes_the_advice_once(client, seeded, auth, monkeypatch):
    calls = []
    real = queries.advice_for

    def counted(user, now=None):
        calls.append(user.id)
        return real(user, now)

    monkeypatch.setattr(queries, "advice_for", counted)
    auth.register()
    slug = LIBRARY[0].slug
    for path, expected in (
        (f"/routines/{slug}", 1),
        (f"/routines/{slug}/play", 1),
        ("/routines", 0),
    ):
        calls.clear()
        assert client.get(path).status_code == 200
        assert len(calls) == expected, path


def test_a_library_step_is_copied_with_its_timing_and_cautions(client, seeded, auth, app):
    auth.register()
    slug = make_routine(client)
    response = client.post(
        f"/routines/{slug}/steps/from-library",
        data={
            "library-title": "Bridge",
            "csrf_token": csrf_token(client, f"/routines/{slug}/edit"),
        },
    )
    assert response.status_code == 303
    with app.app_context():
        step = db.session.scalar(select(Step).join(Routine).where(Routine.slug == slug))
        assert (step.title, step.cautions, step.moving) == (
            "Bridge",
            ["strong_contraction", "supine"],
            False,
        )
        db.session.remove()
    page = client.get(f"/routines/{slug}").get_data(as_text=True)
    assert html.escape(CAUTION_NOTES["strong_contraction"]) in page


def test_an_unknown_library_step_names_the_field_and_saves_nothing(client, seeded, auth, app):
    auth.register()
    slug = make_routine(client)
    response = client.post(
        f"/routines/{slug}/steps/from-library",
        data={
            "library-title": "Backflip",
            "csrf_token": csrf_token(client, f"/routines/{slug}/edit"),
        },
    )
    assert response.status_code == 200
    assert 'id="library-title-error"' in response.get_data(as_text=True)
    assert step_titles(app, slug) == []


def test_an_own_step_can_move_and_carry_cautions(client, seeded, auth, app):
    auth.register()
    slug = make_routine(client)
    response = add_step(
        client, slug, moving="y", hold_seconds="5", reps="8", cautions=["supine", "flexion"]
    )
    assert response.status_code == 303
    with app.app_context():
        step = db.session.scalar(select(Step).join(Routine).where(Routine.slug == slug))
        assert step.moving is True
        assert sorted(step.cautions) == ["flexion", "supine"]
        db.session.remove()
    page = client.get(f"/routines/{slug}").get_data(as_text=True)
    assert "8 slow repetitions, about 5 s each" in page
    assert html.escape(CAUTION_NOTES["supine"]) in page


def test_an_unknown_caution_names_the_field_and_saves_nothing(client, seeded, auth, app):
    auth.register()
    slug = make_routine(client)
    response = add_step(client, slug, cautions=["twisting"])
    assert response.status_code == 200
    assert 'id="cautions-error"' in response.get_data(as_text=True)
    assert step_titles(app, slug) == []
