"""Step pictures: every library step has one, each a small, valid, themeable SVG, shown
on the routine pages, in the player and the builder, and chosen for a built step."""

import gzip
import json
import re
import xml.etree.ElementTree as ET

import pytest
from markupsafe import escape
from sqlalchemy import select

from crampcare.extensions import db
from crampcare.models import Routine, Step
from crampcare.poses import NEUTRAL, POSES, pose_for, render
from crampcare.routine_library import LIBRARY, StepSpec
from crampcare.seed import seed_routines

from .conftest import csrf_token
from .test_routines import TIMELINE, add_step, make_routine

SVG = "{http://www.w3.org/2000/svg}"
LIBRARY_STEPS = {step.title: step for routine in LIBRARY for step in routine.steps}
NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


@pytest.fixture
def seeded(app):
    """The app with its routine library in the database."""
    with app.app_context():
        seed_routines()
    return app


@pytest.mark.parametrize("title", sorted(LIBRARY_STEPS))
def test_every_library_step_has_a_picture(title):
    step = LIBRARY_STEPS[title]
    assert step.pose in POSES, f"{title} has no pose"
    if step.moving:
        assert POSES[step.pose].end is not None, f"{title} moves but shows no end position"


@pytest.mark.parametrize("name", sorted(POSES))
def test_each_picture_is_a_small_valid_svg_in_the_page_colours(name):
    svg = render(name)
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("stroke") == "currentColor"
    assert root.get("role") == "img"
    title = root.find(f"{SVG}title")
    assert title is not None and len(title.text) > 20
    assert title.text == POSES[name].words
    assert all(element.get("style") is None for element in root.iter())
    assert "<style" not in svg
    assert root.find(f"{SVG}rect").get("class") == "pose-mat"
    assert len(gzip.compress(svg.encode(), 9)) <= 2048
    # Every point of the figure lies inside the picture.
    left, top, width, height = (float(n) for n in root.get("viewBox").split())
    for element in root.iter():
        xs, ys = [], []
        if element.tag == f"{SVG}path":
            values = [float(n) for n in NUMBER.findall(element.get("d"))]
            if "V" in element.get("d") or "H" in element.get("d"):
                continue  # props drawn with H/V: their own checks are the sizes above
            xs, ys = values[0::2], values[1::2]
        elif element.tag == f"{SVG}circle":
            r = float(element.get("r"))
            cx, cy = float(element.get("cx")), float(element.get("cy"))
            xs, ys = [cx - r, cx + r], [cy - r, cy + r]
        assert all(left <= x <= left + width for x in xs), name
        assert all(top <= y <= top + height for y in ys), name


def test_a_moving_pose_draws_its_end_faint_and_a_still_one_has_none():
    moving = ET.fromstring(render("cat-cow"))
    groups = [group.get("class") for group in moving.findall(f"{SVG}g")]
    assert groups == ["pose-start", "pose-end"]
    assert moving.findall(f"{SVG}g")[1].get("opacity") == ".3"
    still = ET.fromstring(render("sphinx"))
    assert [group.get("class") for group in still.findall(f"{SVG}g")] == ["pose-start"]


def test_no_pose_or_an_unknown_one_is_the_plain_standing_figure():
    assert pose_for(None).name == NEUTRAL
    assert pose_for("backflip").name == NEUTRAL
    assert render("backflip") == render(NEUTRAL)


def test_a_step_naming_an_unknown_pose_is_refused():
    with pytest.raises(ValueError, match="no pose named"):
        StepSpec(title="Backflip", instructions="Do not.", hold_seconds=5, pose="backflip")


def test_the_review_page_shows_every_pose(client, seeded):
    page = client.get("/poses").get_data(as_text=True)
    assert page.count('<svg xmlns="http://www.w3.org/2000/svg"') == len(POSES)
    for pose in POSES.values():
        assert f'id="pose-{pose.name}"' in page
    assert 'href="/poses"' in client.get("/routines").get_data(as_text=True)


def test_routine_page_and_player_show_each_step_picture(client, seeded):
    spec = next(routine for routine in LIBRARY if routine.slug == "mid-back-mobility")
    page = client.get(f"/routines/{spec.slug}").get_data(as_text=True)
    for step in spec.steps:
        assert f"<title>{escape(POSES[step.pose].words)}</title>" in page
    player = client.get(f"/routines/{spec.slug}/play").get_data(as_text=True)
    timeline = json.loads(TIMELINE.search(player).group(1))
    assert timeline["poses"] == [step.pose for step in spec.steps]
    frames = re.findall(r'data-pose="([a-z-]+)"( hidden)?', player)
    assert [name for name, _ in frames] == list(dict.fromkeys(timeline["poses"]))
    assert [bool(hidden) for _, hidden in frames] == [False] + [True] * (len(frames) - 1)


def test_a_library_step_brings_its_picture_and_an_own_step_chooses_one(client, seeded, auth, app):
    auth.register()
    slug = make_routine(client)
    client.post(
        f"/routines/{slug}/steps/from-library",
        data={
            "library-title": "Sphinx",
            "csrf_token": csrf_token(client, f"/routines/{slug}/edit"),
        },
    )
    assert add_step(client, slug, pose="bird-dog").status_code == 303
    assert add_step(client, slug, title="Something of my own").status_code == 303
    with app.app_context():
        poses = db.session.scalars(
            select(Step.pose).join(Routine).where(Routine.slug == slug).order_by(Step.position)
        ).all()
        db.session.remove()
    assert poses == ["sphinx", "bird-dog", NEUTRAL]
    builder = client.get(f"/routines/{slug}/edit").get_data(as_text=True)
    assert builder.count('class="pose-frame pose-small') == 3
    assert re.search(r'<select[^>]* id="pose"', builder)


def test_an_unknown_pose_names_the_field_and_saves_nothing(client, seeded, auth, app):
    auth.register()
    slug = make_routine(client)
    response = add_step(client, slug, pose="backflip")
    assert response.status_code == 200
    assert 'id="pose-error"' in response.get_data(as_text=True)
    with app.app_context():
        assert (
            db.session.scalars(select(Step).join(Routine).where(Routine.slug == slug)).all() == []
        )
        db.session.remove()


def test_seeding_gives_the_stored_library_steps_their_pictures(seeded):
    with seeded.app_context():
        stored = db.session.scalars(
            select(Step.pose).join(Routine).where(Routine.owner_id.is_(None))
        ).all()
        db.session.remove()
    assert stored and all(name in POSES for name in stored)
