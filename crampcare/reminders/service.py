"""The one place that writes push subscriptions and delivery claims, and sends reminders."""

import base64
import binascii
import ipaddress
import json
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import (
    LoginSession,
    PushSubscription,
    ReminderDelivery,
    Routine,
    User,
    WorkoutSession,
    utcnow,
)
from . import keys, schedule

if TYPE_CHECKING:
    import requests

FIRST_ROUTINE = "gentle-lower-back-release"


class SubscriptionError(ValueError):
    """A subscription the server refuses; `errors` names each bad field."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(", ".join(errors))
        self.errors = errors


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _host_listed(host: str, hosts) -> bool:
    for allowed in hosts:
        allowed = allowed.strip().lower()
        if allowed.startswith("*.") and host.endswith(allowed[1:]) and host != allowed[2:]:
            return True
        if host == allowed:
            return True
    return False


def endpoint_allowed(endpoint: str, hosts) -> bool:
    """True for an https URL on a known push service's host (http only for a loopback host
    listed for tests), so a subscription never makes the server call an address of the
    user's choosing."""
    try:
        parts = urlsplit(endpoint)
        port = parts.port
    except ValueError:
        return False
    host = (parts.hostname or "").lower()
    if not host or parts.username or parts.password or not _host_listed(host, hosts):
        return False
    if _is_loopback(host):
        return parts.scheme in ("http", "https")
    return parts.scheme == "https" and port in (None, 443)


def _key(value, field: str, size: int, errors: dict[str, str], first_byte: int | None = None):
    if not isinstance(value, str) or not value or len(value) > 200:
        errors[field] = "Give the browser's key, base64url-encoded."
        return None
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != size or (first_byte is not None and raw[0] != first_byte):
        errors[field] = "This is not a key a browser makes for push messages."
        return None
    return value


def subscription_values(body: dict, hosts) -> dict:
    """Check a subscription body from the browser; raise SubscriptionError naming bad fields."""
    errors: dict[str, str] = {}
    endpoint = body.get("endpoint")
    if not isinstance(endpoint, str) or len(endpoint) > 1000 or not endpoint:
        errors["endpoint"] = "Give the push endpoint the browser made."
    elif not endpoint_allowed(endpoint, hosts):
        errors["endpoint"] = "Reminders go only through a known push service, over https."
    keys_ = body.get("keys")
    if not isinstance(keys_, dict):
        errors["keys"] = "Give the subscription's keys (p256dh and auth)."
        keys_ = {}
    # An uncompressed P-256 point, and a 16-byte secret (RFC 8291).
    p256dh = _key(keys_.get("p256dh"), "keys.p256dh", 65, errors, first_byte=4)
    auth = _key(keys_.get("auth"), "keys.auth", 16, errors)
    if errors:
        raise SubscriptionError(errors)
    return {"endpoint": endpoint, "p256dh": p256dh, "auth": auth}


def subscribe(user: User, login: LoginSession, values: dict) -> tuple[PushSubscription, bool]:
    """Keep this browser's subscription for this sign-in; the same endpoint again updates it.

    Returns the subscription and whether it is new.
    """
    existing = db.session.scalar(
        select(PushSubscription).where(PushSubscription.endpoint == values["endpoint"])
    )
    if existing is not None:
        # The browser is the endpoint's owner: whoever is signed in on it now gets it.
        existing.user_id, existing.login_session_id = user.id, login.id
        existing.p256dh, existing.auth = values["p256dh"], values["auth"]
        db.session.commit()
        return existing, False
    subscription = PushSubscription(user_id=user.id, login_session_id=login.id, **values)
    db.session.add(subscription)
    try:
        db.session.commit()
    except IntegrityError:
        # The same browser subscribed twice at once: the other request stored it.
        db.session.rollback()
        return subscribe(user, login, values)
    return subscription, True


def unsubscribe(user: User, endpoint) -> bool:
    """Forget one of this user's browsers; False when they have no such subscription."""
    if not isinstance(endpoint, str):
        return False
    deleted = db.session.execute(
        delete(PushSubscription).where(
            PushSubscription.user_id == user.id, PushSubscription.endpoint == endpoint
        )
    ).rowcount
    db.session.commit()
    return bool(deleted)


def vapid_key():
    """The app's VAPID key pair, loaded once per app."""
    app = current_app
    if "vapid" not in app.extensions:
        app.extensions["vapid"] = keys.load_or_create(
            app.config.get("VAPID_PRIVATE_KEY"), app.instance_path
        )
    return app.extensions["vapid"]


def suggested_url(user: User) -> str:
    """Where a tap on the reminder goes: the player of the routine this person plays."""
    slug = db.session.scalar(
        select(WorkoutSession.routine_slug)
        .join(Routine, Routine.slug == WorkoutSession.routine_slug)
        .where(WorkoutSession.user_id == user.id)
        .where((Routine.owner_id.is_(None)) | (Routine.owner_id == user.id))
        .order_by(WorkoutSession.started_at.desc())
        .limit(1)
    )
    adapter = current_app.url_map.bind("localhost")
    return adapter.build("routines.play_routine", {"slug": slug or FIRST_ROUTINE})


def message_for(user: User) -> dict:
    """The notification: a title, a line of text, and the page a tap opens."""
    return {
        "title": "Time to stretch",
        "body": "A few minutes of your back routine keeps it in practice.",
        "url": suggested_url(user),
    }


def _stretched_on(user: User, day, zone: ZoneInfo) -> bool:
    start = datetime.combine(day, datetime.min.time(), tzinfo=zone).astimezone(UTC)
    return (
        db.session.scalar(
            select(WorkoutSession.id)
            .where(WorkoutSession.user_id == user.id)
            .where(WorkoutSession.started_at >= start)
            .where(WorkoutSession.started_at < start + timedelta(days=1))
            .limit(1)
        )
        is not None
    )


def _claim(user: User, day, at: str) -> ReminderDelivery | None:
    """Insert the claim row; None when another run already holds it."""
    claim = ReminderDelivery(user_id=user.id, local_date=day, local_time=at)
    db.session.add(claim)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return None
    return claim


@dataclass
class Outcome:
    """What one run did, by kind."""

    counts: Counter

    def line(self) -> str:
        c = self.counts
        return (
            f"Reminders: {c['due']} due, {c['sent']} sent to {c['devices']} device(s), "
            f"{c['stretched']} skipped (already stretched that day), "
            f"{c['claimed_elsewhere']} sent by another run, "
            f"{c['gone']} subscription(s) gone and removed, "
            f"{c['failed']} failed (retried on the next run)."
        )


def _send(subscription: PushSubscription, payload: str, session: "requests.Session") -> str:
    """Send one message; 'sent', 'gone' (404/410: the subscription ended) or 'failed'."""
    # Imported by the run that sends, not at start: pywebpush brings requests and aiohttp,
    # about 0.4 s of imports that every server process and command would otherwise pay.
    import requests
    from pywebpush import WebPushException, webpush

    config = current_app.config
    try:
        webpush(
            subscription.subscription_info(),
            data=payload,
            vapid_private_key=vapid_key(),
            vapid_claims={"sub": config["VAPID_SUBJECT"]},
            content_encoding="aes128gcm",
            ttl=config["PUSH_TTL_SECONDS"],
            timeout=10,
            requests_session=session,
        )
    except WebPushException as error:
        status = getattr(error.response, "status_code", None)
        return "gone" if status in (404, 410) else "failed"
    except requests.RequestException:
        return "failed"
    return "sent"


def _settle(user: User, claim: ReminderDelivery, results: dict[int, str], counts) -> None:
    """Record how the sends went: sent, or the claim let go so the next run tries again."""
    gone = [subscription_id for subscription_id, result in results.items() if result == "gone"]
    if gone:
        db.session.execute(delete(PushSubscription).where(PushSubscription.id.in_(gone)))
        counts["gone"] += len(gone)
    tally = Counter(results.values())
    counts["devices"] += tally["sent"]
    if tally["sent"]:
        claim.sent_at = utcnow()
        counts["sent"] += 1
    elif tally["failed"]:
        # Nothing arrived anywhere: let go of the claim so the next run tries again.
        db.session.delete(claim)
        counts["failed"] += 1
    db.session.commit()


def send_due(now: datetime | None = None) -> Outcome:
    """Send every reminder due now, each once per person, local day and time."""
    now = now or utcnow()
    window = timedelta(minutes=current_app.config["REMINDER_WINDOW_MINUTES"])
    counts: Counter = Counter()
    people = db.session.scalars(
        select(User).where(User.reminder_time.is_not(None)).where(User.push_subscriptions.any())
    ).all()
    import requests  # here, as in _send: only a run that sends needs it

    with requests.Session() as http:
        for user in people:
            day = schedule.due_day(
                now, user.timezone, user.reminder_days, user.reminder_time, window
            )
            if day is None:
                continue
            counts["due"] += 1
            if _stretched_on(user, day, ZoneInfo(user.timezone)):
                counts["stretched"] += 1
                continue
            claim = _claim(user, day, user.reminder_time)
            if claim is None:
                counts["claimed_elsewhere"] += 1
                continue
            payload = json.dumps(message_for(user))
            results = {s.id: _send(s, payload, http) for s in user.push_subscriptions}
            _settle(user, claim, results, counts)
    return Outcome(counts)
