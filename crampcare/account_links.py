"""Links mailed to an account's owner: signed with the secret key, time-limited, used once.

A link carries the account id and a fingerprint of the part of the account it was made
for. When that part changes (the password is set, the address is confirmed), the
fingerprint no longer matches and the link, with every other made before, stops
working: single use without a table of tokens. Each kind of link has its own salt, so
one is never read as another.
"""

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeTimedSerializer

from .extensions import db
from .models import User


@dataclass(frozen=True)
class AccountLink:
    """One kind of link: its salt, the account state it is bound to, and when it may serve."""

    salt: str
    state: Callable[[User], str]
    # The name of the fingerprint in the signed payload.
    key: str = "state"
    usable: Callable[[User], bool] = lambda _user: True

    def _serializer(self, secret_key: str) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(secret_key, salt=self.salt)

    def _fingerprint(self, user: User) -> str:
        return hashlib.sha256(self.state(user).encode()).hexdigest()[:32]

    def make_token(self, user: User, secret_key: str) -> str:
        """A signed token for this account as it is now."""
        return self._serializer(secret_key).dumps(
            {"user": user.id, self.key: self._fingerprint(user)}
        )

    def user_of(self, token: str, secret_key: str, max_age_seconds: int) -> User | None:
        """The account a genuine, young enough, unused token was made for, else None."""
        try:
            payload = self._serializer(secret_key).loads(token, max_age=max_age_seconds)
        except BadSignature:  # SignatureExpired is a BadSignature too
            return None
        if not isinstance(payload, dict):
            return None
        user_id, fingerprint = payload.get("user"), payload.get(self.key)
        if not isinstance(user_id, int) or not isinstance(fingerprint, str):
            return None
        user = db.session.get(User, user_id)
        if user is None or not self.usable(user):
            return None
        return user if hmac.compare_digest(self._fingerprint(user), fingerprint) else None
