"""Email confirmation links: signed with the secret key, time-limited, used once.

A link carries the account id and a fingerprint of what the account is now: its
address, its password hash and whether it is confirmed. Confirming changes the
last, and registering the address again (which replaces the password) changes the
hash, so the link stops working after either: single use without a table of tokens.
"""

import hashlib
import hmac

from itsdangerous import BadSignature, URLSafeTimedSerializer

from .models import User

# Not the reset links' salt: neither kind of link is ever read as the other.
SALT = "crampcare-email-confirmation"


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=SALT)


def _fingerprint(user: User) -> str:
    confirmed = user.email_confirmed_at.isoformat() if user.email_confirmed_at else ""
    state = "\n".join((user.email, user.password_hash, confirmed))
    return hashlib.sha256(state.encode()).hexdigest()[:32]


def make_token(user: User, secret_key: str) -> str:
    """A signed confirmation token for this account as it is now."""
    return _serializer(secret_key).dumps({"user": user.id, "state": _fingerprint(user)})


def read_token(token: str, secret_key: str, max_age_seconds: int) -> tuple[int, str] | None:
    """(account id, fingerprint) from a token that is genuine and young enough."""
    try:
        payload = _serializer(secret_key).loads(token, max_age=max_age_seconds)
    except BadSignature:  # SignatureExpired is a BadSignature too
        return None
    if not isinstance(payload, dict):
        return None
    user_id, fingerprint = payload.get("user"), payload.get("state")
    if not isinstance(user_id, int) or not isinstance(fingerprint, str):
        return None
    return user_id, fingerprint


def still_valid(user: User, fingerprint: str) -> bool:
    """True while the account is unconfirmed and unchanged since the link was made."""
    return not user.email_confirmed and hmac.compare_digest(_fingerprint(user), fingerprint)
