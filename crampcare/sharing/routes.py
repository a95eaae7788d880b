"""Sharing pages: make a code, see and revoke access, read who did what with your data."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from .. import audit, shares
from ..extensions import db
from ..forms import ConfirmForm
from ..models import AuditEvent, Share
from ..vocabulary import AUDIT_ACTIONS
from . import bp

AUDIT_ROWS = 100


@bp.before_request
@login_required
def _signed_in_patient():
    """Only patients share their data."""
    if not current_user.is_patient:
        abort(404)


@bp.get("/sharing")
def sharing():
    """Your codes, the clinicians who see your data, and the audit log."""
    granted = db.session.scalars(
        shares.active_shares()
        .where(Share.patient_id == current_user.id)
        .options(joinedload(Share.clinician))
        .order_by(Share.redeemed_at.desc())
    ).all()
    events = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.subject_id == current_user.id)
        .options(joinedload(AuditEvent.actor))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(AUDIT_ROWS)
    ).all()
    return render_template(
        "sharing/sharing.html",
        pending=db.session.scalars(shares.pending_shares(current_user.id)).all(),
        granted=granted,
        events=events,
        words=AUDIT_ACTIONS,
        form=ConfirmForm(),
    )


@bp.post("/sharing/codes")
def create_code():
    """Make a new share code to give to a clinician."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    share = shares.create_share(current_user)
    audit.record("share_created", current_user, current_user, f"Code {share.code}")
    db.session.commit()
    flash(f"Your new code is {share.code}. It works once, within 7 days.", "success")
    return redirect(url_for("sharing.sharing"), 303)


@bp.get("/sharing/<int:share_id>/revoke")
def confirm_revoke(share_id: int):
    """Ask before a clinician loses access: one stray tap must not end it."""
    share = shares.own_share_or_404(share_id)
    return render_template(
        "confirm.html",
        title=f"Stop sharing with {shares.holder(share)}?",
        lines=[
            "They will no longer see or export your check-ins. What they already "
            "downloaded stays with them.",
            "To share again later, make a new code and give it to them.",
        ],
        action=url_for("sharing.revoke", share_id=share.id),
        confirm_label="Yes, revoke access",
        cancel_url=url_for("sharing.sharing"),
        cancel_label="Keep sharing",
        form=ConfirmForm(),
    )


@bp.post("/sharing/<int:share_id>/revoke")
def revoke(share_id: int):
    """End a clinician's access, or cancel a code, at once."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    share = shares.own_share_or_404(share_id)
    shares.revoke(share, current_user)
    db.session.commit()
    flash("Done: that access is revoked.", "success")
    return redirect(url_for("sharing.sharing"), 303)
