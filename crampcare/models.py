"""Database models in SQLAlchemy 2.0 typed style."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, date, datetime, timedelta, timezone
from functools import cache

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Select,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    bindparam,
    delete,
    false,
    select,
    update,
)
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship

from .extensions import db
from .passwords import hash_password, needs_rehash, verify_password


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware.

    SQLite has no timezone type, so aware values are normalised to UTC on the way
    in and given their UTC offset back on the way out; PostgreSQL keeps timestamptz.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; give a timezone")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def hash_token(token: str) -> str:
    """Return the digest under which a bearer token is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


class User(UserMixin, db.Model):
    """A patient or a clinician."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased, so uniqueness is case-insensitive.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    # The name the patient gives on /account; clinicians read it, else the email.
    display_name: Mapped[str] = mapped_column(String(100), default="", server_default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default="patient")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    units: Mapped[str] = mapped_column(String(8), default="ml")
    takes_diuretics: Mapped[bool] = mapped_column(default=False)
    takes_statins: Mapped[bool] = mapped_column(default=False, server_default=false())
    conditions: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When the owner of the address proved it by following the mailed link (or a reset
    # link). Until then nobody may sign in, and registering the address again replaces
    # the password: whoever typed it first has not shown the mailbox is theirs.
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Goes up whenever the user's check-ins or sessions change (crampcare/logbook/versions.py),
    # so what was computed from them can be kept until then.
    data_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # A random secret of the account, behind the offline outbox's account tag: the tag
    # of a deleted account never comes back, whatever id the next one gets.
    account_secret: Mapped[str] = mapped_column(String(64), default=lambda: secrets.token_hex(16))
    # Reminders: local weekdays ("mon"…"sun") and a local time "HH:MM" (crampcare/reminders).
    reminder_days: Mapped[list[str]] = mapped_column(JSON, default=list)
    reminder_time: Mapped[str | None] = mapped_column(String(5))

    login_sessions: Mapped[list[LoginSession]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )
    push_subscriptions: Mapped[list[PushSubscription]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="PushSubscription.id"
    )

    # The sign-in this request arrived with; set by the user loader.
    current_login = None

    @staticmethod
    def normalise_email(email: str) -> str:
        """Return the form an address is stored and looked up in."""
        return email.strip().lower()

    @property
    def name(self) -> str:
        """The name others read: the display name given on /account, else the email."""
        return (
            self.display_name.strip()
            if self.display_name and self.display_name.strip()
            else self.email
        )

    @property
    def is_clinician(self) -> bool:
        """True for clinicians."""
        return self.role == "clinician"

    @property
    def is_patient(self) -> bool:
        """True for patients."""
        return self.role == "patient"

    @property
    def email_confirmed(self) -> bool:
        """True once the owner of the address has proved it is theirs."""
        return self.email_confirmed_at is not None

    def confirm_email(self) -> None:
        """Mark the address as proved, once; a later proof keeps the first time."""
        if self.email_confirmed_at is None:
            self.email_confirmed_at = utcnow()

    def claim_confirmation(self) -> bool:
        """Confirm the address in one conditional write; False when another request got
        there first, so of two presses of one link only one goes on (the caller commits)."""
        result = db.session.execute(
            update(User)
            .where(User.id == self.id, User.email_confirmed_at.is_(None))
            .values(email_confirmed_at=utcnow())
        )
        return result.rowcount == 1

    def set_password(self, password: str) -> None:
        """Hash and keep a new password."""
        self.password_hash = hash_password(password)

    def check_password(self, password: str) -> bool:
        """Check a password, upgrading the stored hash when its parameters are old."""
        if not verify_password(self.password_hash, password):
            return False
        if needs_rehash(self.password_hash):
            self.set_password(password)
        return True

    def end_all_logins(self) -> None:
        """Delete every sign-in of this account (the caller commits)."""
        db.session.execute(delete(LoginSession).where(LoginSession.user_id == self.id))

    def get_id(self) -> str | None:
        """Flask-Login keeps the sign-in's token, not the user id, so sign-ins can be revoked."""
        return self.current_login.token if self.current_login else None


class LoginSession(db.Model):
    """One signed-in device; deleting the row signs that device out."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    device: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="login_sessions")

    # The raw token exists only in memory, right after the sign-in was made.
    token = None

    @classmethod
    def start(cls, user: User, device: str) -> LoginSession:
        """Make a new sign-in for a user, with a fresh random token."""
        token = secrets.token_urlsafe(32)
        login = cls(user=user, token_hash=hash_token(token), device=device[:200])
        login.token = token
        return login


@cache
def _login_by_token_statement() -> Select:
    """A sign-in by its token's hash (parameter `token_hash`), with its user. Built once:
    every signed-in request runs it, and its loader option costs more to build than the
    query takes to run."""
    return (
        select(LoginSession)
        .options(joinedload(LoginSession.user))
        .where(LoginSession.token_hash == bindparam("token_hash"))
    )


def login_by_token(token: str) -> LoginSession | None:
    """The sign-in a token belongs to, with its user, or None."""
    return db.session.scalar(_login_by_token_statement(), {"token_hash": hash_token(token)})


class Routine(db.Model):
    """A stretching routine: from the library (no owner) or built by a patient."""

    __tablename__ = "routines"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(120))
    summary: Mapped[str] = mapped_column(String(300), default="")
    difficulty: Mapped[str] = mapped_column(String(16), default="gentle")
    area: Mapped[str] = mapped_column(String(16), default="lower")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    steps: Mapped[list[Step]] = relationship(
        back_populates="routine",
        order_by="Step.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class FavouriteRoutine(db.Model):
    """A routine a person starred, to find it first in the picker."""

    __tablename__ = "favourite_routines"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    routine_id: Mapped[int] = mapped_column(
        ForeignKey("routines.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Step(db.Model):
    """One exercise of a routine, held for a time, repeated, on one or both sides."""

    __tablename__ = "steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    routine_id: Mapped[int] = mapped_column(ForeignKey("routines.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(120))
    instructions: Mapped[str] = mapped_column(Text, default="")
    # A held stretch: each hold's length. A moving step: how long one slow repetition takes.
    hold_seconds: Mapped[int] = mapped_column(Integer)
    reps: Mapped[int] = mapped_column(Integer, default=1)
    side: Mapped[str] = mapped_column(String(8), default="none")
    rest_seconds: Mapped[int] = mapped_column(Integer, default=0)
    cue: Mapped[str | None] = mapped_column(String(200))
    # Counted in slow repetitions (cat-cow, pelvic tilts) rather than held still.
    moving: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Caution tags (crampcare/routine_safety.py): who should leave this step out.
    cautions: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    # The picture of the step (a name in crampcare/poses.py); none shows a plain figure.
    pose: Mapped[str | None] = mapped_column(String(40))

    routine: Mapped[Routine] = relationship(back_populates="steps")

    STEP_FIELDS = (
        "title",
        "instructions",
        "hold_seconds",
        "reps",
        "side",
        "rest_seconds",
        "cue",
        "moving",
        "cautions",
        "pose",
    )

    @classmethod
    def copy_of(cls, spec, position: int) -> Step:
        """A new row with the wording, timing and cautions of a library step."""
        values = {name: getattr(spec, name) for name in cls.STEP_FIELDS}
        return cls(position=position, **values | {"cautions": list(spec.cautions)})

    __table_args__ = (Index("ix_steps_routine_position", "routine_id", "position"),)


class WorkoutSession(db.Model):
    """A routine a patient played, start to end (called a session in the app)."""

    __tablename__ = "sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    client_id: Mapped[str] = mapped_column(String(36))
    routine_slug: Mapped[str] = mapped_column(String(80))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime] = mapped_column(UTCDateTime)
    steps_completed: Mapped[int] = mapped_column(Integer)
    steps_total: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("user_id", "client_id", name="uq_sessions_user_client"),
        Index("ix_sessions_user_started", "user_id", "started_at"),
    )

    def to_dict(self) -> dict:
        """The session as the JSON API shows it."""
        return {
            "id": self.id,
            "client_id": self.client_id,
            "routine_slug": self.routine_slug,
            "started_at": self.started_at.isoformat(),
            "ended_at": self.ended_at.isoformat(),
            "steps_completed": self.steps_completed,
            "steps_total": self.steps_total,
        }


class Checkin(db.Model):
    """How a session went, or a cramp logged on its own (at rest, at night)."""

    __tablename__ = "checkins"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    client_id: Mapped[str] = mapped_column(String(36))
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("sessions.id", ondelete="SET NULL"), index=True
    )
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The offset the client recorded in, so the time reads back as it was made.
    recorded_offset_minutes: Mapped[int] = mapped_column(Integer, default=0)
    cramp_severity: Mapped[int] = mapped_column(Integer, default=0)
    cramp_timing: Mapped[str | None] = mapped_column(String(20))
    cramp_locations: Mapped[list[str]] = mapped_column(JSON, default=list)
    pain: Mapped[int | None] = mapped_column(Integer)
    water_ml: Mapped[int | None] = mapped_column(Integer)
    electrolytes: Mapped[list[str]] = mapped_column(JSON, default=list)
    sweat: Mapped[str | None] = mapped_column(String(10))
    exertion: Mapped[int | None] = mapped_column(Integer)
    red_flags: Mapped[list[str]] = mapped_column(JSON, default=list)
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    session: Mapped[WorkoutSession | None] = relationship()

    __table_args__ = (
        UniqueConstraint("user_id", "client_id", name="uq_checkins_user_client"),
        Index("ix_checkins_user_recorded", "user_id", "recorded_at"),
    )

    @property
    def is_cramp(self) -> bool:
        """A check-in with any cramp at all."""
        return self.cramp_severity >= 1

    @property
    def recorded_local(self) -> datetime:
        """The time it was recorded, in the offset the client recorded it in."""
        offset = timezone(timedelta(minutes=self.recorded_offset_minutes))
        return self.recorded_at.astimezone(offset)

    def to_dict(self) -> dict:
        """The check-in as the JSON API shows it."""
        return {
            "id": self.id,
            "client_id": self.client_id,
            "session_id": self.session_id,
            "recorded_at": self.recorded_local.isoformat(),
            "cramp_severity": self.cramp_severity,
            "cramp_timing": self.cramp_timing,
            "cramp_locations": list(self.cramp_locations or []),
            "pain": self.pain,
            "water_ml": self.water_ml,
            "electrolytes": list(self.electrolytes or []),
            "sweat": self.sweat,
            "exertion": self.exertion,
            "red_flags": list(self.red_flags or []),
            "notes": self.notes,
        }


class Share(db.Model):
    """A patient's share code, and once redeemed, a clinician's access."""

    __tablename__ = "shares"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    clinician_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(8), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    redeemed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    patient: Mapped[User] = relationship(foreign_keys=[patient_id])
    clinician: Mapped[User | None] = relationship(foreign_keys=[clinician_id])


class AuditEvent(db.Model):
    """Something a patient may want to know happened: sign-ins, clinician access, exports."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    action: Mapped[str] = mapped_column(String(40))
    # Whose data or account it concerns; the patient reads these rows.
    subject_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    # Who did it (a clinician, or the user themself); kept apart from the subject.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    detail: Mapped[str] = mapped_column(String(300), default="")
    address: Mapped[str] = mapped_column(String(64), default="")

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])


class Plan(db.Model):
    """A home programme: a routine a clinician asks a patient to do so many times a week.

    The routine is one the patient can play: a library routine, or the patient's own
    copy of the routine the clinician built (made when the plan is set). The patient
    keeps the plan and its routine after the share ends; the clinician no longer sees it.
    """

    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    clinician_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    routine_id: Mapped[int] = mapped_column(ForeignKey("routines.id", ondelete="CASCADE"))
    sessions_per_week: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    patient: Mapped[User] = relationship(foreign_keys=[patient_id])
    clinician: Mapped[User | None] = relationship(foreign_keys=[clinician_id])
    routine: Mapped[Routine] = relationship()

    @property
    def routine_slug(self) -> str:
        """The slug the patient plays it under, as sessions record it."""
        return self.routine.slug


class PushSubscription(db.Model):
    """A browser that asked for reminders, tied to the sign-in it was made in.

    Ending that sign-in (signing out, "sign out everywhere", a password change) ends the
    subscription with it: the database cascades the delete.
    """

    __tablename__ = "push_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    login_session_id: Mapped[int] = mapped_column(
        ForeignKey("login_sessions.id", ondelete="CASCADE"), index=True
    )
    endpoint: Mapped[str] = mapped_column(String(1000), unique=True)
    p256dh: Mapped[str] = mapped_column(String(120))
    auth: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def subscription_info(self) -> dict:
        """The subscription as the push library takes it."""
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}


class ReminderDelivery(db.Model):
    """A reminder claimed for one person, local day and time: the row is the claim.

    Its uniqueness is what keeps two runs of `reminders send` from both sending it.
    """

    __tablename__ = "reminder_deliveries"
    __table_args__ = (UniqueConstraint("user_id", "local_date", "local_time"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    local_date: Mapped[date] = mapped_column(Date)
    local_time: Mapped[str] = mapped_column(String(5))
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
