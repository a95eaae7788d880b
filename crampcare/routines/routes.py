"""Routine pages: the library, a patient's own routines and their builder, the player."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup

from ..extensions import db
from ..forms import ConfirmForm
from ..fragments import is_fragment_request
from ..models import Routine, Step
from ..poses import POSES, pose_for, render
from ..routine_library import AREAS, DIFFICULTIES, SAFETY_NOTE
from ..routine_safety import (
    CAUTION_LABELS,
    CAUTION_NOTES,
    relevant_conditions,
    routine_cautions,
    routine_conflicts,
    step_cautions,
    step_conflicts,
)
from ..timeline import build_timeline, format_duration, total_seconds
from ..vocabulary import DIFFICULTIES as DIFFICULTY_LABELS
from ..vocabulary import ROUTINE_AREAS, STEP_SIDES
from . import bp
from .forms import (
    LIBRARY_STEPS,
    MAX_STEPS,
    FavouriteForm,
    LibraryStepForm,
    MoveForm,
    RoutineForm,
    StepForm,
    new_slug,
)
from .picker import MAX_MINUTES, Filters, pick
from .queries import (
    favourite_ids,
    get_own_routine_or_404,
    get_routine_or_404,
    last_played,
    set_favourite,
    visible_routines,
    visitor_conditions,
    visitor_urgent_advice,
)

# The box a person ticks to start a routine while urgent advice holds.
UNDERSTOOD = "understood"


@bp.app_context_processor
def _routine_words():
    return {
        "safety_note": SAFETY_NOTE,
        "area_labels": ROUTINE_AREAS,
        "difficulty_labels": DIFFICULTY_LABELS,
        "side_labels": STEP_SIDES,
        "routine_duration": lambda routine: format_duration(total_seconds(routine.steps)),
        "caution_labels": CAUTION_LABELS,
        "caution_notes": CAUTION_NOTES,
        "step_cautions": step_cautions,
        "routine_cautions": lambda routine: routine_cautions(routine.steps),
        # The module escapes every text it writes into the SVG.
        "pose_svg": lambda name: Markup(render(pose_for(name).name)),
    }


@bp.get("/poses")
def list_poses():
    """Every step picture side by side, for reviewing them together."""
    return render_template("routines/poses.html", poses=POSES.values())


@bp.get("/routines")
def list_routines():
    """The library and your own routines: filtered by length, part of the back, level,
    favourites and fit, the ones you played most recently first."""
    filters = Filters.from_args(request.args)
    routines = db.session.scalars(visible_routines()).all()
    conditions = visitor_conditions()
    suits_me = request.args.get("suits") == "me" and bool(relevant_conditions(conditions))
    conflicts = {routine.id: routine_conflicts(routine.steps, conditions) for routine in routines}
    if suits_me:
        routines = [routine for routine in routines if not conflicts[routine.id]]
    signed_in = current_user.is_authenticated
    favourites = favourite_ids(current_user.id) if signed_in else set()
    played = last_played(current_user.id) if signed_in else {}
    picked = pick(routines, filters, _seconds_of, favourites, played)
    context = {
        "own": [routine for routine in picked if routine.owner_id is not None],
        "library": [routine for routine in picked if routine.owner_id is None],
        "filters": filters,
        "favourites": favourites,
        "last_played": played,
        "areas": AREAS,
        "difficulties": DIFFICULTIES,
        "max_minutes": MAX_MINUTES,
        "conflicts": conflicts,
        "fit_conditions": relevant_conditions(conditions),
        "suits_me": suits_me,
    }
    if is_fragment_request():
        return render_template("routines/_results.html", **context)
    return render_template("routines/list.html", **context)


def _seconds_of(routine: Routine) -> int:
    return total_seconds(routine.steps)


@bp.post("/routines/<slug>/favourite")
@login_required
def favourite(slug: str):
    """Star a routine or take its star away; htmx gets the new star, a form goes back."""
    routine = get_routine_or_404(slug)
    form = FavouriteForm()
    if form.validate_on_submit():
        set_favourite(current_user.id, routine.id, form.starred.data == "yes")
        db.session.commit()
    if is_fragment_request():
        starred = routine.id in favourite_ids(current_user.id)
        return render_template("routines/_favourite.html", routine=routine, starred=starred)
    return redirect(_back_to_list(form.next.data), 303)


def _back_to_list(next_url: str | None) -> str:
    """The filtered list the star was pressed on; only ever a page of the list itself."""
    home = url_for("routines.list_routines")
    if next_url and (next_url == home or next_url.startswith(home + "?")):
        return next_url
    return home


@bp.route("/routines/new", methods=["GET", "POST"])
@login_required
def new_routine():
    """Start a routine of your own; its steps are added on the next page."""
    form = RoutineForm()
    if form.validate_on_submit():
        routine = Routine(owner_id=current_user.id, slug=new_slug(form.title.data))
        form.populate_obj(routine)
        db.session.add(routine)
        db.session.commit()
        return redirect(url_for("routines.edit_routine", slug=routine.slug), 303)
    return render_template("routines/new.html", form=form)


@bp.get("/routines/<slug>")
def show_routine(slug: str):
    """A routine's steps, how to do each safely, its length and the Start button."""
    routine = get_routine_or_404(slug)
    conditions = visitor_conditions()
    return render_template(
        "routines/detail.html",
        routine=routine,
        conflicts=routine_conflicts(routine.steps, conditions),
        step_conflicts=lambda step: step_conflicts(step, conditions),
        urgent=visitor_urgent_advice(),
    )


@bp.get("/routines/<slug>/play")
def play_routine(slug: str):
    """The session player: timed steps with a countdown, beeps and spoken cues."""
    routine = get_routine_or_404(slug)
    urgent = visitor_urgent_advice()
    if urgent and request.args.get(UNDERSTOOD) != "yes":
        # Urgent advice holds: the player starts only after a deliberate confirmation.
        return render_template(
            "routines/confirm.html",
            routine=routine,
            urgent=urgent,
            not_ticked="confirming" in request.args,
        )
    timeline = {
        "slug": routine.slug,
        "title": routine.title,
        "steps_total": len(routine.steps),
        "poses": [pose_for(step.pose).name for step in routine.steps],
        "segments": [segment.to_dict() for segment in build_timeline(routine.steps)],
    }
    return render_template(
        "routines/play.html",
        routine=routine,
        timeline=timeline,
        next_url=url_for("checkins.new_checkin"),
        urgent=urgent,
    )


@bp.route("/routines/<slug>/edit", methods=["GET", "POST"])
@login_required
def edit_routine(slug: str):
    """Rename your routine and build its steps."""
    routine = get_own_routine_or_404(slug)
    # A prefix keeps these fields' ids apart from the step form's on the same page.
    form = RoutineForm(obj=routine, prefix="routine")
    if form.validate_on_submit():
        form.populate_obj(routine)
        db.session.commit()
        flash("Your routine is saved.", "success")
        return redirect(url_for("routines.edit_routine", slug=routine.slug), 303)
    return _builder_page(routine, routine_form=form)


@bp.post("/routines/<slug>/steps")
@login_required
def add_step(slug: str):
    """Add a step at the end of your routine."""
    routine = get_own_routine_or_404(slug)
    form = StepForm()
    if form.validate_on_submit():
        if len(routine.steps) >= MAX_STEPS:
            form.title.errors.append(f"A routine holds at most {MAX_STEPS} steps.")
        else:
            step = Step(position=len(routine.steps))
            form.populate_obj(step)
            step.cue = step.cue or None
            routine.steps.append(step)
            db.session.commit()
            return _builder_changed(routine)
    return _builder_page(routine, step_form=form)


@bp.post("/routines/<slug>/steps/from-library")
@login_required
def add_library_step(slug: str):
    """Add a copy of a library step, with its timing and cautions, at the end of your routine."""
    routine = get_own_routine_or_404(slug)
    form = LibraryStepForm(prefix="library")
    if form.validate_on_submit():
        if len(routine.steps) >= MAX_STEPS:
            form.title.errors.append(f"A routine holds at most {MAX_STEPS} steps.")
        else:
            routine.steps.append(Step.copy_of(LIBRARY_STEPS[form.title.data], len(routine.steps)))
            db.session.commit()
            return _builder_changed(routine)
    return _builder_page(routine, library_form=form)


@bp.post("/routines/<slug>/steps/<int:step_id>/move")
@login_required
def move_step(slug: str, step_id: int):
    """Move a step one place up or down."""
    routine = get_own_routine_or_404(slug)
    steps = list(routine.steps)
    index = _step_index_or_404(steps, step_id)
    form = MoveForm()
    if form.validate_on_submit():
        other = index - 1 if form.direction.data == "up" else index + 1
        if 0 <= other < len(steps):
            steps[index], steps[other] = steps[other], steps[index]
            _renumber(steps)
            db.session.commit()
    return _builder_changed(routine)


@bp.post("/routines/<slug>/steps/<int:step_id>/remove")
@login_required
def remove_step(slug: str, step_id: int):
    """Take a step out of your routine."""
    routine = get_own_routine_or_404(slug)
    steps = list(routine.steps)
    index = _step_index_or_404(steps, step_id)
    if ConfirmForm().validate_on_submit():
        db.session.delete(steps.pop(index))
        _renumber(steps)
        db.session.commit()
    return _builder_changed(routine)


@bp.post("/routines/<slug>/delete")
@login_required
def delete_routine(slug: str):
    """Delete one of your routines; sessions already played keep their record."""
    routine = get_own_routine_or_404(slug)
    if ConfirmForm().validate_on_submit():
        db.session.delete(routine)
        db.session.commit()
    return redirect(url_for("routines.list_routines"), 303)


def _step_index_or_404(steps: list[Step], step_id: int) -> int:
    for index, step in enumerate(steps):
        if step.id == step_id:
            return index
    abort(404)


def _renumber(steps: list[Step]) -> None:
    for position, step in enumerate(steps):
        step.position = position


def _builder_changed(routine: Routine):
    """After a change: the fresh component for htmx, a redirect for a plain form."""
    db.session.refresh(routine)
    if is_fragment_request():
        return _builder_page(routine)
    return redirect(url_for("routines.edit_routine", slug=routine.slug), 303)


def _builder_page(routine: Routine, routine_form=None, step_form=None, library_form=None):
    """The builder component alone for htmx, else the whole edit page."""
    context = {
        "routine": routine,
        "step_form": step_form or StepForm(formdata=None),
        "library_form": library_form or LibraryStepForm(formdata=None, prefix="library"),
        "max_steps": MAX_STEPS,
    }
    if is_fragment_request():
        return render_template("routines/_builder.html", **context)
    return render_template(
        "routines/edit.html",
        routine_form=routine_form or RoutineForm(obj=routine, prefix="routine"),
        **context,
    )
