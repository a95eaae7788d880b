"""Attempt budgets counted before the work they guard (a password check, a redeem).

Each attempt adds one to a shared counter (Flask-Limiter's storage: memory for one
process, Redis for several) in one atomic increment, and goes ahead only when the
new count is within the limit. Fifteen concurrent guesses therefore get at most
five checks, whatever the timing. An attempt refused here takes its increment back,
and an attempt that succeeds may be refunded, so the limit counts failures.
"""

import math
import time

from flask import current_app
from limits import RateLimitItem, parse_many
from werkzeug.exceptions import TooManyRequests

from .extensions import limiter


def _identifiers(scope: str, key: str) -> tuple[str, ...]:
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX") or ""
    return ("crampcare-attempts", prefix, scope, key)


def _items(limits_text: str) -> list[RateLimitItem]:
    return list(parse_many(limits_text))


def _refund(items: list[RateLimitItem], identifiers: tuple[str, ...]) -> None:
    for item in items:
        limiter.storage.incr(item.key_for(*identifiers), item.get_expiry(), amount=-1)


def take(limits_text: str, scope: str, key: str) -> None:
    """Count one attempt against each limit, or raise 429 (nothing counted) when over one."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return
    identifiers = _identifiers(scope, key)
    counted: list[RateLimitItem] = []
    for item in _items(limits_text):
        counted.append(item)
        if not limiter.limiter.hit(item, *identifiers):
            reset = limiter.limiter.get_window_stats(item, *identifiers).reset_time
            _refund(counted, identifiers)
            raise TooManyRequests(retry_after=max(1, math.ceil(reset - time.time())))


def refund(limits_text: str, scope: str, key: str) -> None:
    """Take back one attempt that succeeded, so only failures use up the budget."""
    if current_app.config.get("RATELIMIT_ENABLED", True):
        _refund(_items(limits_text), _identifiers(scope, key))
