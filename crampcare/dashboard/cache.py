"""The rendered dashboard, kept per user until their log changes.

A key holds everything the panels depend on: the user's data version (bumped in the
same transaction as any change to their check-ins or sessions), their timezone and
units, the range, the local day (advice windows and "this week" move at midnight) and
the session's CSRF secret (the panels carry forms). Entries also expire after a few
minutes, so the CSRF tokens inside stay fresh. Each app (each worker) keeps its own;
the version read from the database makes them agree.
"""

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime
from typing import NamedTuple

from flask import current_app, session
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from ..local_time import today
from ..models import User

MAX_ENTRIES = 512
TTL_SECONDS = 300


class RenderCache:
    """A small least-recently-used store of rendered HTML with an expiry per entry."""

    def __init__(self, size: int = MAX_ENTRIES, ttl: float = TTL_SECONDS):
        self.size, self.ttl = size, ttl
        self.entries: OrderedDict[tuple, tuple[float, Markup]] = OrderedDict()
        self.lock = threading.Lock()

    def rendered(self, key: tuple, render: Callable[[], str]) -> Markup:
        """The HTML kept under key, rendering (and keeping) it when missing or expired."""
        now = time.monotonic()
        with self.lock:
            hit = self.entries.get(key)
            if hit and hit[0] > now:
                self.entries.move_to_end(key)
                return hit[1]
        html = Markup(render())
        with self.lock:
            self.entries[key] = (now + self.ttl, html)
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)
        return html


def app_cache() -> RenderCache:
    """This app's cache, made on first use."""
    return current_app.extensions.setdefault("dashboard_cache", RenderCache())


class CacheKey(NamedTuple):
    """Everything the rendered panels depend on."""

    user_id: int
    data_version: int
    timezone: str
    units: str
    # The advice reads these from the profile.
    takes_diuretics: bool
    takes_statins: bool
    conditions: tuple[str, ...]
    range_days: int
    local_day: str
    csrf_secret: str | None


def cache_key(user: User, range_days: int, now: datetime) -> CacheKey:
    """The key of the signed-in user's panels for this range, today."""
    generate_csrf()  # the session's CSRF secret exists before it becomes part of the key
    day = today(user.timezone, now)
    return CacheKey(
        user.id,
        user.data_version,
        user.timezone,
        user.units,
        user.takes_diuretics,
        user.takes_statins,
        tuple(user.conditions or ()),
        range_days,
        day.isoformat(),
        session.get(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")),
    )
