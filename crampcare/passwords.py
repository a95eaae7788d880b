"""Password hashing with argon2id (argon2-cffi's RFC 9106 low-memory profile).

Every app hashes with the production parameters, except a test app whose config names
cheaper ones in PASSWORD_HASH_PARAMETERS: a hash made either way says its own parameters,
so verifying works across both.
"""

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, current_app, has_app_context

MIN_LENGTH = 10
MAX_LENGTH = 128
EXTENSION = "crampcare.passwords"
DUMMY_PASSWORD = "not a real password, only for timing"


class Hashing:
    """One set of argon2 parameters, with a hash to check against for unknown accounts."""

    def __init__(self, hasher: PasswordHasher):
        self.hasher = hasher
        # A real hash to verify against when the account does not exist, so a failed
        # sign-in takes the same time whether or not the address is registered.
        self.dummy_hash = hasher.hash(DUMMY_PASSWORD)


@cache
def production() -> Hashing:
    """The production parameters (argon2-cffi's defaults), made once per process."""
    return Hashing(PasswordHasher())


def init_app(app: Flask) -> None:
    """Cheaper parameters for a testing app that asks for them; production ones otherwise."""
    parameters = app.config.get("PASSWORD_HASH_PARAMETERS")
    if parameters and not app.testing:
        raise RuntimeError("PASSWORD_HASH_PARAMETERS is only for tests (TESTING = True)")
    if parameters:
        app.extensions[EXTENSION] = Hashing(PasswordHasher(**parameters))


def _hashing() -> Hashing:
    if has_app_context() and EXTENSION in current_app.extensions:
        return current_app.extensions[EXTENSION]
    return production()


def hash_password(password: str) -> str:
    """Return an argon2id hash of a password."""
    return _hashing().hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when the password matches the hash."""
    try:
        return _hashing().hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def verify_nobody(password: str) -> None:
    """Spend the time a real check takes, for a sign-in to an address with no account."""
    hashing = _hashing()
    verify_password(hashing.dummy_hash, password)


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with parameters other than the current ones."""
    return _hashing().hasher.check_needs_rehash(password_hash)
