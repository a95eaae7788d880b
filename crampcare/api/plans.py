"""Home programmes in JSON: a clinician sets a plan, the patient reads it, either removes it."""

from flask import abort, jsonify
from flask_login import current_user, login_required

from .. import audit, plans, shares
from ..extensions import db
from ..models import User
from . import bp
from .common import errors_response, read_json_object


@bp.post("/patients/<int:patient_id>/plans")
@login_required
def create_plan(patient_id: int):
    """Set a plan for a patient who shares with the signed-in clinician."""
    if not current_user.is_clinician:
        return errors_response({"role": "Only clinicians set plans."}, 403)
    patient = db.session.get(User, patient_id)
    if patient is None or not shares.has_access(current_user.id, patient_id):
        abort(404)
    values, errors = plans.read_plan(read_json_object(), current_user)
    if errors:
        return errors_response(errors)
    plan = plans.set_plan(patient, current_user, **values)
    audit.record("plan_set", patient, current_user, plans.audit_words(plan))
    db.session.commit()
    return jsonify(plans.to_dict(plan, plans.done_this_week(plan))), 201


@bp.get("/plans")
@login_required
def list_plans():
    """The signed-in patient's plans, each with the sessions done this week."""
    if not current_user.is_patient:
        return errors_response({"role": "Plans are read by the patient they are for."}, 403)
    found = plans.plans_of_patient(current_user.id)
    weeks = plans.adherence(found, [current_user])
    items = [plans.to_dict(plan, weeks[plan.id].this_week.done) for plan in found]
    return jsonify(items=items)


@bp.delete("/plans/<int:plan_id>")
@login_required
def delete_plan(plan_id: int):
    """Remove a plan: its patient, or the clinician who set it while the share lasts."""
    plan = plans.get_plan_or_404(plan_id, current_user)
    plans.remove_plan(plan, current_user)
    db.session.commit()
    return "", 204
