"""Check-in pages: after a session, a cramp on its own, history, advice and background."""

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..extensions import db
from ..fragments import is_fragment_request
from ..local_time import local_now
from ..logbook import service
from ..logbook.forms import (
    CheckinForm,
    blank_fields,
    form_view,
    read_submission,
    stored_fields,
)
from ..logbook.queries import (
    advice_for,
    checkin_for_session,
    checkins_of,
    get_checkin_or_404,
    get_session_or_404,
    stored_values,
)
from ..record_ids import record_id
from . import bp

PAGE_SIZE = 50
# Far past any real history, and small enough that the offset stays a database integer.
MAX_PAGE = 10**9


@bp.route("/checkins/new", methods=["GET", "POST"])
@login_required
def new_checkin():
    """How the session went: cramps, water, salts, effort."""
    session_id = request.args.get("session", type=record_id)
    session = get_session_or_404(session_id) if session_id else None
    made = checkin_for_session(session) if session else None
    if made is not None and request.method == "GET":
        # Back at a session's form: the check-in already made, to change, not a second.
        return redirect(url_for("checkins.edit_checkin", checkin_id=made.id), 303)
    return _new_form("checkin", session)


@bp.route("/cramps/new", methods=["GET", "POST"])
@login_required
def new_cramp():
    """A cramp outside a session: at rest, at night or during other exercise."""
    return _new_form("cramp", None)


def _new_form(kind: str, session):
    form = CheckinForm()
    now = local_now(current_user.timezone)
    if request.method == "GET":
        fields = blank_fields(1 if kind == "cramp" else 0, session.id if session else None, now)
        return _render_form(kind, form, fields, {}, session=session)
    values, errors, fields = read_submission(
        current_user.units, now=now, timezone=current_user.timezone, default_time=now
    )
    if errors:
        return _render_form(kind, form, fields, errors, session=session)
    # A second submit of the same form (same client_id) finds the first one saved; the
    # same form sent again with other answers must not be dropped without a word.
    try:
        service.create_checkin(current_user.id, values, answers_only=True)
    except service.ClientIdTaken:
        errors = {"client_id": "This check-in was already saved. Edit it to change it."}
        return _render_form(kind, form, fields, errors, session=session)
    return _saved("Check-in saved.")


@bp.route("/checkins/<int:checkin_id>/edit", methods=["GET", "POST"])
@login_required
def edit_checkin(checkin_id: int):
    """Change a saved check-in."""
    checkin = get_checkin_or_404(checkin_id)
    form = CheckinForm()
    if request.method == "GET":
        fields = stored_fields(checkin.to_dict(), current_user.units, current_user.timezone)
        return _render_form("edit", form, fields, {}, checkin=checkin)
    values, errors, fields = read_submission(
        current_user.units,
        now=local_now(current_user.timezone),
        timezone=current_user.timezone,
        current=stored_values(checkin),
    )
    if errors:
        return _render_form("edit", form, fields, errors, checkin=checkin)
    service.update_checkin(checkin, values)
    return _saved("Check-in updated.")


@bp.post("/checkins/<int:checkin_id>/delete")
@login_required
def delete_checkin(checkin_id: int):
    """Delete a check-in, then go back to the history."""
    service.delete_checkin(get_checkin_or_404(checkin_id))
    flash("Check-in deleted.", "success")
    return redirect(url_for("checkins.history"), 303)


@bp.get("/checkins")
@login_required
def history():
    """Your check-ins, newest first, a page at a time."""
    page = min(max(request.args.get("page", 1, type=int), 1), MAX_PAGE)
    query = checkins_of(current_user.id).limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE)
    checkins = db.session.scalars(query).all()
    return render_template(
        "checkins/history.html",
        checkins=checkins[:PAGE_SIZE],
        page=page,
        has_more=len(checkins) > PAGE_SIZE,
        form=CheckinForm(),
    )


@bp.get("/advice")
@login_required
def advice():
    """What your last weeks of check-ins suggest, with the reasons."""
    config, items = advice_for(current_user)
    return render_template("checkins/advice.html", items=items, window_days=config.window_days)


@bp.get("/learn")
def learn():
    """Why backs cramp after stretching, and what helps."""
    return render_template("learn.html")


def _render_form(kind, form, fields, errors, *, session=None, checkin=None):
    template = "checkins/_form.html" if is_fragment_request() else "checkins/form.html"
    if checkin is not None:
        action = url_for("checkins.edit_checkin", checkin_id=checkin.id)
    else:
        action = url_for(f"checkins.new_{kind}", session=session.id if session else None)
    return render_template(
        template,
        form=form,
        fields=fields,
        errors=errors,
        session=session,
        checkin=checkin,
        action=action,
        **form_view(kind, errors, local_now(current_user.timezone)),
    )


def _saved(message: str):
    if not is_fragment_request():
        flash(message, "success")
        return redirect(url_for("dashboard.index"), 303)
    config, items = advice_for(current_user)
    response = make_response(render_template("checkins/_saved.html", message=message, items=items))
    response.headers["HX-Trigger"] = "checkin-saved"
    return response
