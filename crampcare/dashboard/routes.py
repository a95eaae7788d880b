"""The dashboard page and its panels: each panel a fragment with its own URL."""

from flask import (
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from ..fragments import is_fragment_request
from ..local_time import local_now
from ..logbook import panels, service
from ..logbook.forms import CheckinForm, form_view, read_submission, stored_fields
from ..logbook.queries import get_checkin_or_404, stored_values
from ..models import utcnow
from ..record_ids import record_id
from . import bp, cache


@bp.app_context_processor
def _links():
    """The URLs the dashboard panels fetch themselves from."""
    return {"panel_url": panel_url, "dashboard_ranges": panels.RANGES}


def panel_url(endpoint: str, **values) -> str:
    """The URL of one of the signed-in patient's dashboard panels."""
    return url_for(f"dashboard.{endpoint}", **values)


@bp.before_request
@login_required
def _patients_only():
    # A clinician's dashboard is their patient list; a patient's records are not theirs.
    if current_user.is_clinician and request.endpoint == "dashboard.index":
        return redirect(url_for("clinician.patients"), 303)
    if current_user.is_clinician:
        abort(404)
    return None


def _range() -> int:
    return panels.chosen_range(request.args.get("range", type=int))


def _page():
    """The whole dashboard, for a first load, a reload or a browser without JavaScript."""
    range_days, before = _range(), request.args.get("before", type=record_id)

    def render_panels() -> str:
        context = panels.dashboard(current_user, range_days, before)
        return render_template(
            "dashboard/_content.html", patient=current_user, read_only=False, **context
        )

    if before is None:
        # The usual first view: kept until the log changes (see cache.py).
        key = cache.cache_key(current_user, range_days, utcnow())
        content = cache.app_cache().rendered(key, render_panels)
    else:
        content = render_panels()
    return render_template("dashboard/index.html", content=content)


def _fragment_or_page(fragment: str, build):
    if not is_fragment_request():
        return _page()
    return render_template(
        fragment, patient=current_user, read_only=False, range_days=_range(), **build()
    )


@bp.get("/dashboard")
def index():
    """Advice, sessions, cramps per week, water and recent check-ins; htmx gets the range panels."""
    patient = current_user
    return _fragment_or_page(
        "dashboard/_range_panels.html",
        lambda: panels.range_panels(patient, _range()),
    )


@bp.get("/dashboard/advice")
def advice():
    """The advice panel."""
    return _fragment_or_page(
        "dashboard/_advice.html", lambda: {"advice": panels.advice_panel(current_user)}
    )


@bp.get("/dashboard/sessions")
def sessions():
    """This week's sessions and the streak."""
    return _fragment_or_page(
        "dashboard/_sessions.html", lambda: {"sessions": panels.sessions_panel(current_user)}
    )


@bp.get("/dashboard/chart")
def chart():
    """Cramps per week over the chosen range."""
    return _fragment_or_page(
        "dashboard/_chart.html", lambda: {"chart": panels.chart_panel(current_user, _range())}
    )


@bp.get("/dashboard/water")
def water():
    """Water on cramp days against other days over the chosen range."""
    return _fragment_or_page(
        "dashboard/_water.html", lambda: {"water": panels.water_panel(current_user, _range())}
    )


@bp.get("/dashboard/checkins")
def checkins():
    """The next page of recent check-ins, older than `before`."""
    before = request.args.get("before", type=record_id)

    def build():
        rows, has_more = panels.recent_checkins(current_user, before)
        return {"recent": {"checkins": rows, "has_more": has_more}}

    return _fragment_or_page("dashboard/_checkin_rows.html", build)


@bp.get("/dashboard/checkins/<int:checkin_id>")
def checkin_row(checkin_id: int):
    """One check-in's row (what Cancel brings back)."""
    checkin = get_checkin_or_404(checkin_id)
    if not is_fragment_request():
        return _page()
    return render_template("dashboard/_checkin_row.html", checkin=checkin, read_only=False)


@bp.route("/dashboard/checkins/<int:checkin_id>/edit", methods=["GET", "POST"])
def edit_checkin(checkin_id: int):
    """Edit a check-in in its row; saving answers the new row and `checkin-saved`."""
    checkin = get_checkin_or_404(checkin_id)
    if not is_fragment_request():
        return redirect(url_for("checkins.edit_checkin", checkin_id=checkin.id), 303)
    if request.method == "GET":
        fields = stored_fields(checkin.to_dict(), current_user.units, current_user.timezone)
        return _edit_row(checkin, fields, {})
    values, errors, fields = read_submission(
        current_user.units,
        now=local_now(current_user.timezone),
        timezone=current_user.timezone,
        current=stored_values(checkin),
    )
    if errors:
        return _edit_row(checkin, fields, errors)
    service.update_checkin(checkin, values)
    response = make_response(
        render_template("dashboard/_checkin_row.html", checkin=checkin, read_only=False)
    )
    response.headers["HX-Trigger"] = "checkin-saved"
    return response


def _edit_row(checkin, fields, errors):
    return render_template(
        "dashboard/_checkin_edit.html",
        checkin=checkin,
        form=CheckinForm(),
        fields=fields,
        errors=errors,
        action=url_for("dashboard.edit_checkin", checkin_id=checkin.id),
        **form_view("edit", errors, local_now(current_user.timezone)),
    )


@bp.post("/dashboard/checkins/<int:checkin_id>/delete")
def delete_checkin(checkin_id: int):
    """Delete a check-in: htmx gets an empty row and `checkin-saved`, a form a redirect."""
    service.delete_checkin(get_checkin_or_404(checkin_id))
    if not is_fragment_request():
        flash("Check-in deleted.", "success")
        return redirect(url_for("dashboard.index"), 303)
    response = make_response("")
    response.headers["HX-Trigger"] = "checkin-saved"
    return response
