"""Share codes: how a patient lets a clinician see their data, and takes it back."""

import secrets
from datetime import timedelta

from flask import abort, request
from flask_login import current_user
from sqlalchemy import func, select

from . import audit
from .extensions import db, limiter
from .models import Share, User, utcnow

# No 0/O, 1/I/L or 5/S, 2/Z, 8/B: a code read aloud or copied by hand stays right.
ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CODE_LENGTH = 8
CODE_LIFETIME = timedelta(days=7)
# Redeem attempts per clinician: codes are hard to guess, and this keeps them so.
REDEEM_LIMIT = "10 per minute; 50 per day"
# One message for every reason a code fails, so a guess learns nothing.
UNUSABLE = "This code cannot be used. Ask your patient for a new one."


def redeem_limit_key() -> str:
    """Count redeem attempts per signed-in account, else per address."""
    if current_user.is_authenticated:
        return f"redeem:{current_user.id}"
    return f"redeem:{request.remote_addr}"


# One budget for the page form and the JSON API together.
redeem_limit = limiter.shared_limit(REDEEM_LIMIT, scope="share-redeem", key_func=redeem_limit_key)


def new_code() -> str:
    """A fresh random share code."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(code: str) -> str:
    """The stored form of a typed code: upper case, spaces and dashes dropped."""
    return "".join(code.split()).replace("-", "").upper()


def create_share(patient: User) -> Share:
    """Add a new single-use share code for a patient (the caller commits)."""
    code = new_code()
    # 25^8 codes: a clash is rare, but a unique column would refuse one, so look first.
    while db.session.scalar(select(Share.id).where(Share.code == code)) is not None:
        code = new_code()
    share = Share(patient_id=patient.id, code=code, expires_at=utcnow() + CODE_LIFETIME)
    db.session.add(share)
    db.session.flush()
    return share


def redeem(code: str, clinician: User) -> Share | None:
    """Give a clinician access through a pending code; None when it cannot be used."""
    if not clinician.is_clinician or not isinstance(code, str):
        return None
    share = db.session.scalar(
        select(Share).where(Share.code == normalise_code(code)).with_for_update()
    )
    now = utcnow()
    if (
        share is None
        or share.redeemed_at is not None
        or share.revoked_at is not None
        or share.expires_at <= now
        or share.patient_id == clinician.id
    ):
        return None
    share.clinician_id = clinician.id
    share.redeemed_at = now
    return share


def own_share_or_404(share_id: int) -> Share:
    """One of the signed-in patient's shares, or a 404 (also when it is someone else's)."""
    share = db.session.get(Share, share_id)
    if share is None or share.patient_id != current_user.id:
        abort(404)
    return share


def revoke(share: Share, patient: User) -> None:
    """Mark a share revoked and write it to the patient's log (the caller commits)."""
    if share.revoked_at is None:
        share.revoked_at = utcnow()
        audit.record("share_revoked", patient, patient, f"Revoked {holder(share)}")


def holder(share: Share) -> str:
    """Who a share lets in, as the patient knows them: the clinician, or the code."""
    return share.clinician.email if share.clinician else f"code {share.code}"


def active_shares():
    """Select shares that give access now: redeemed and not revoked."""
    return select(Share).where(Share.redeemed_at.is_not(None), Share.revoked_at.is_(None))


def pending_shares(patient_id: int):
    """Select a patient's codes that wait to be redeemed, newest first."""
    return (
        select(Share)
        .where(
            Share.patient_id == patient_id,
            Share.redeemed_at.is_(None),
            Share.revoked_at.is_(None),
            Share.expires_at > utcnow(),
        )
        .order_by(Share.created_at.desc())
    )


def has_access(clinician_id: int, patient_id: int) -> bool:
    """True when a clinician holds an active share of this patient."""
    found = db.session.scalar(
        active_shares()
        .with_only_columns(Share.id)
        .where(Share.clinician_id == clinician_id, Share.patient_id == patient_id)
        .limit(1)
    )
    return found is not None


def shared_patients(clinician_id: int):
    """Select (patient, first access) for every patient sharing with a clinician."""
    first = func.min(Share.redeemed_at).label("since")
    return (
        select(User, first)
        .join(Share, Share.patient_id == User.id)
        .where(
            Share.clinician_id == clinician_id,
            Share.redeemed_at.is_not(None),
            Share.revoked_at.is_(None),
        )
        .group_by(User.id)
    )
