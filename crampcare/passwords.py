"""Password hashing with argon2id (argon2-cffi's RFC 9106 low-memory profile)."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

MIN_LENGTH = 10
MAX_LENGTH = 128
# zxcvbn scores 0-4; 3 is "safely unguessable: moderate protection from offline attacks".
MIN_SCORE = 3
# zxcvbn refuses longer input; a password's first 72 characters bound its strength below.
_ESTIMATED_LENGTH = 72

_hasher = PasswordHasher()


def password_problem(password: str, personal_words: tuple[str, ...] = ()) -> str | None:
    """Why a new password would be refused, or None when it will do.

    The same rules everywhere a password is chosen: 10 to 128 characters, not only
    spaces, and not easy to guess (a common password, a keyboard run, a repeat, or
    built from the person's own email).
    """
    if not password.strip():
        return "A password of only spaces is not a password."
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        return f"Use {MIN_LENGTH} to {MAX_LENGTH} characters."
    estimate = zxcvbn(password[:_ESTIMATED_LENGTH], user_inputs=list(personal_words))
    if estimate["score"] >= MIN_SCORE:
        return None
    feedback = estimate["feedback"]
    reason = feedback.get("warning") or "This password is too easy to guess."
    advice = " ".join(feedback.get("suggestions") or [])
    return f"{reason} {advice}".strip()


def hash_password(password: str) -> str:
    """Return an argon2id hash of a password."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when the password matches the hash."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with parameters older than the current ones."""
    return _hasher.check_needs_rehash(password_hash)


# A real hash to verify against when the account does not exist, so a failed
# sign-in takes the same time whether or not the address is registered.
DUMMY_HASH = hash_password("not a real password, only for timing")
