"""Clinician pages: redeem a code, the shared patients, one patient's data and exports."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from .. import audit, plans, shares
from ..advice import AdviceConfig
from ..exports.streams import csv_response, dated_filename, fhir_response, report_response
from ..extensions import db
from ..formatting import show_times_in
from ..fragments import is_fragment_request
from ..logbook import panels
from ..models import User, utcnow
from ..record_ids import record_id
from . import bp, listing
from .forms import PlanForm, RedeemForm


@bp.before_request
@login_required
def _signed_in_clinician():
    """These pages exist for clinicians only; to anyone else there is nothing here."""
    if not current_user.is_clinician:
        abort(404)


def shared_patient_or_404(patient_id: int) -> User:
    """The patient, when they share with the signed-in clinician right now."""
    patient = db.session.get(User, patient_id)
    if patient is None or not shares.has_access(current_user.id, patient_id):
        abort(404)
    show_times_in(patient.timezone)
    return patient


def _config() -> AdviceConfig:
    return AdviceConfig.from_mapping(current_app.config)


@bp.get("/patients")
def patients():
    """The patients sharing with you, a page at a time, with their numbers and advice."""
    return render_template("clinician/patients.html", listing=_listing(), form=RedeemForm())


def _listing() -> listing.PatientPage:
    """The page of patients the query string asks for (sort, page, q)."""
    return listing.patient_page(
        current_user.id,
        sort=request.args.get("sort", "activity"),
        page=request.args.get("page", 1, type=int),
        query=request.args.get("q", ""),
        now=utcnow(),
        config=_config(),
    )


@bp.post("/patients/redeem")
@shares.redeem_limit
def redeem():
    """Redeem a share code and open that patient's page."""
    form = RedeemForm()
    share = shares.redeem(form.code.data or "", current_user) if form.validate() else None
    if share is None:
        if not form.code.errors:
            form.code.errors.append(shares.UNUSABLE)
        page = render_template("clinician/patients.html", listing=_listing(), form=form)
        return page, 400
    audit.record("share_redeemed", share.patient, current_user)
    db.session.commit()
    flash("The patient is now on your list.", "success")
    return redirect(url_for("clinician.patient", patient_id=share.patient_id), 303)


@bp.get("/patients/<int:patient_id>")
def patient(patient_id: int):
    """A shared patient's dashboard, read-only; htmx gets its range panels or older rows."""
    patient = shared_patient_or_404(patient_id)
    range_days = panels.chosen_range(request.args.get("range", type=int))
    before = request.args.get("before", type=record_id)
    context = {
        "patient": patient,
        "read_only": True,
        "range_days": range_days,
        "panel_url": lambda _panel, **values: url_for(
            "clinician.patient", patient_id=patient.id, **values
        ),
    }
    # Every look at the patient's data is in their audit log, the parts htmx loads too.
    if is_fragment_request() and before:
        audit.record("clinician_view", patient, current_user, "Viewed older check-ins")
        db.session.commit()
        rows, has_more = panels.recent_checkins(patient, before)
        recent = {"checkins": rows, "has_more": has_more}
        return render_template("dashboard/_checkin_rows.html", recent=recent, **context)
    if is_fragment_request():
        audit.record("clinician_view", patient, current_user, f"Viewed {range_days} days")
        db.session.commit()
        ranged = panels.range_panels(patient, range_days)
        return render_template("dashboard/_range_panels.html", **ranged, **context)
    audit.record("clinician_view", patient, current_user, "Viewed your dashboard")
    db.session.commit()
    context.update(_for_clinician(panels.dashboard(patient, range_days, before)))
    context.update(_plans_panel(patient))
    return render_template("clinician/patient.html", **context)


def _for_clinician(dashboard: dict) -> dict:
    """The dashboard's panels with the advice worded for the clinician ("they", not "you")."""
    if "advice" in dashboard:
        items = [item.for_reader("clinician") for item in dashboard["advice"]["items"]]
        dashboard["advice"] = {**dashboard["advice"], "items": items}
    return dashboard


def _plans_panel(patient: User, form: PlanForm | None = None) -> dict:
    """The plans this clinician set for the patient, with their weeks, and the form."""
    found = db.session.scalars(plans.plans_set_by(current_user.id, [patient.id])).unique().all()
    if form is None:
        form = PlanForm(formdata=None)
    routines = db.session.scalars(plans.routines_for_plans(current_user.id)).all()
    form.routine_slug.choices = [
        (r.slug, r.title + (" (yours)" if r.owner_id else "")) for r in routines
    ]
    weeks = plans.adherence(found, [patient])
    return {"patient": patient, "plans": [weeks[p.id] for p in found], "plan_form": form}


def _plans_response(patient: User, form: PlanForm | None = None, done: str = ""):
    """The plans panel alone for htmx, else the patient's page (a form to correct) or a redirect."""
    if is_fragment_request():
        return render_template("clinician/_plans.html", done=done, **_plans_panel(patient, form))
    if form is not None:
        return patient_page_with(patient, form)
    flash(done, "success")
    return redirect(url_for("clinician.patient", patient_id=patient.id, _anchor="plans"), 303)


def patient_page_with(patient: User, form: PlanForm) -> str:
    """The patient's page with a plan form that needs correcting."""
    context = {
        "read_only": True,
        "range_days": panels.DEFAULT_RANGE,
        "panel_url": lambda _panel, **values: url_for(
            "clinician.patient", patient_id=patient.id, **values
        ),
        **_for_clinician(panels.dashboard(patient, panels.DEFAULT_RANGE)),
        **_plans_panel(patient, form),
    }
    return render_template("clinician/patient.html", **context)


@bp.post("/patients/<int:patient_id>/plans")
def set_plan(patient_id: int):
    """Set a home programme for a shared patient."""
    patient = shared_patient_or_404(patient_id)
    form = PlanForm()
    valid = form.validate()
    values, errors = plans.read_plan(request.form, current_user)
    for name, message in errors.items():
        if not form[name].errors:
            form[name].errors = [message]
    if not valid or errors:
        return _plans_response(patient, form)
    plan = plans.set_plan(patient, current_user, **values)
    audit.record("plan_set", patient, current_user, plans.audit_words(plan))
    db.session.commit()
    return _plans_response(patient, done="Plan set: your patient sees it first on their home page.")


@bp.post("/patients/<int:patient_id>/plans/<int:plan_id>/delete")
def remove_plan(patient_id: int, plan_id: int):
    """Remove a plan you set for this patient."""
    patient = shared_patient_or_404(patient_id)
    plan = plans.get_plan_or_404(plan_id, current_user)
    if plan.patient_id != patient.id:
        abort(404)
    plans.remove_plan(plan, current_user)
    db.session.commit()
    return _plans_response(patient, done="Plan removed.")


@bp.get("/patients/<int:patient_id>/export.csv")
def export_csv(patient_id: int):
    """A shared patient's check-ins as CSV."""
    patient = _audited_export(patient_id, "CSV")
    return csv_response(patient, dated_filename(f"crampcare-patient-{patient.id}", "csv"))


@bp.get("/patients/<int:patient_id>/export.fhir.json")
def export_fhir(patient_id: int):
    """A shared patient's check-ins as a FHIR R4 Bundle."""
    patient = _audited_export(patient_id, "FHIR")
    filename = dated_filename(f"crampcare-patient-{patient.id}", "fhir.json")
    return fhir_response(patient, filename, clinician=current_user)


@bp.get("/patients/<int:patient_id>/report")
def report(patient_id: int):
    """A shared patient's printable report: read on screen, so the log says viewed."""
    patient = shared_patient_or_404(patient_id)
    audit.record("clinician_view", patient, current_user, "Viewed the printable report")
    db.session.commit()
    back = url_for("clinician.patient", patient_id=patient.id)
    return report_response(patient, back, reader="clinician")


def _audited_export(patient_id: int, kind: str) -> User:
    """Authorise an export and write it to the patient's audit log (committed by the export)."""
    patient = shared_patient_or_404(patient_id)
    audit.record("clinician_export", patient, current_user, f"Downloaded the {kind} export")
    return patient
