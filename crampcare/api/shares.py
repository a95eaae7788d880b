"""Sharing in JSON: make a code, redeem it, revoke it."""

from flask import jsonify
from flask_login import current_user, login_required

from .. import audit, shares
from ..extensions import db
from . import bp
from .common import errors_response, read_json_object


@bp.post("/shares")
@login_required
def create_share():
    """A new single-use code for the signed-in patient."""
    if not current_user.is_patient:
        return errors_response({"role": "Only patients make share codes."}, 403)
    share = shares.create_share(current_user)
    audit.record("share_created", current_user, current_user, f"Code {share.code}")
    db.session.commit()
    body = {"id": share.id, "code": share.code, "expires_at": share.expires_at.isoformat()}
    return jsonify(body), 201


@bp.post("/shares/redeem")
@shares.redeem_limit
@login_required
def redeem_share():
    """Redeem a patient's code as the signed-in clinician."""
    # A patient's attempt fails like a bad code: the answer never says why.
    code = read_json_object().get("code")
    share = shares.redeem(code, current_user) if isinstance(code, str) else None
    if share is None:
        return errors_response({"code": shares.UNUSABLE})
    audit.record("share_redeemed", share.patient, current_user)
    db.session.commit()
    return jsonify(patient_id=share.patient_id)


@bp.delete("/shares/<int:share_id>")
@login_required
def delete_share(share_id: int):
    """Revoke one of the signed-in patient's shares at once."""
    share = shares.own_share_or_404(share_id)
    shares.revoke(share, current_user)
    db.session.commit()
    return "", 204
