"""Password reset links: signed with the secret key, valid 30 minutes, used once.

A link carries the account id and a fingerprint of the password hash it was made
for. Setting a new password changes the hash, so the link (and every other link
made before) stops working: single use without a table of tokens.
"""

import hashlib
import hmac

from itsdangerous import BadSignature, URLSafeTimedSerializer

from .models import User

SALT = "crampcare-password-reset"


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=SALT)


def _fingerprint(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:32]


def make_token(user: User, secret_key: str) -> str:
    """A signed reset token for this account's current password."""
    return _serializer(secret_key).dumps({"user": user.id, "password": _fingerprint(user)})


def read_token(token: str, secret_key: str, max_age_seconds: int) -> tuple[int, str] | None:
    """(account id, password fingerprint) from a token that is genuine and young enough."""
    try:
        payload = _serializer(secret_key).loads(token, max_age=max_age_seconds)
    except BadSignature:  # SignatureExpired is a BadSignature too
        return None
    if not isinstance(payload, dict):
        return None
    user_id, fingerprint = payload.get("user"), payload.get("password")
    if not isinstance(user_id, int) or not isinstance(fingerprint, str):
        return None
    return user_id, fingerprint


def still_valid(user: User, fingerprint: str) -> bool:
    """True while the password the link was made for is still the account's password."""
    return hmac.compare_digest(_fingerprint(user), fingerprint)
