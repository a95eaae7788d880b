"""The audit log: sign-ins, failed sign-ins, clinician views and exports."""

import hashlib
import hmac
from datetime import timedelta

from flask import current_app, request
from sqlalchemy import delete

from .extensions import db
from .models import AuditEvent, User, utcnow


def record(action: str, subject: User | None, actor: User | None = None, detail: str = "") -> None:
    """Add an audit event to the current transaction (the caller commits)."""
    db.session.add(
        AuditEvent(
            action=action,
            subject_id=subject.id if subject else None,
            actor_id=actor.id if actor else None,
            detail=detail[:300],
            address=(request.remote_addr or "")[:64],
        )
    )


def email_digest(email: str) -> str:
    """A keyed hash of an email: attempts on one address can be told apart, the address not read."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"email:{email}".encode(), hashlib.sha256).hexdigest()[:32]


def record_failed_login(user: User | None, email: str) -> None:
    """A failed sign-in; for an email with no account, only its keyed hash, kept a while.

    Such a row belongs to no account, so deleting an account could not reach it:
    it never holds the address, and it goes after UNKNOWN_LOGIN_AUDIT_DAYS.
    """
    if user is not None:
        record("login_failed", user)
        return
    record("login_failed", None, detail=f"email-hmac:{email_digest(email)}")
    cutoff = utcnow() - timedelta(days=current_app.config["UNKNOWN_LOGIN_AUDIT_DAYS"])
    db.session.execute(
        delete(AuditEvent).where(
            AuditEvent.subject_id.is_(None),
            AuditEvent.action == "login_failed",
            AuditEvent.at < cutoff,
        )
    )
