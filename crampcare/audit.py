"""The audit log: sign-ins, failed sign-ins, clinician views and exports."""

from flask import request

from .extensions import db
from .models import AuditEvent, User


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
