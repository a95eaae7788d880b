"""Prometheus metrics: requests and their latency by endpoint, and what people did.

With several gunicorn workers, set PROMETHEUS_MULTIPROC_DIR to an empty folder before the
server starts (gunicorn.conf.py does): each worker then writes its counts there and any
worker's /metrics adds them all up.
"""

import os
import time

from flask import Flask, g, request
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from sqlalchemy import event
from sqlalchemy.orm import Session

from ..models import Checkin, WorkoutSession

REQUESTS = Counter(
    "crampcare_http_requests_total",
    "HTTP requests answered, by endpoint, method and status.",
    ["endpoint", "method", "status"],
)
LATENCY = Histogram(
    "crampcare_http_request_duration_seconds",
    "Time to answer an HTTP request, by endpoint and method.",
    ["endpoint", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
CHECKINS_CREATED = Counter("crampcare_checkins_created_total", "Check-ins stored.")
SESSIONS_CREATED = Counter("crampcare_sessions_created_total", "Workout sessions stored.")
OUTBOX_REPLAYS = Counter(
    "crampcare_outbox_replays_total",
    "Writes whose client_id was already stored: a phone sending again what had arrived.",
    ["kind"],
)
ADVICE_SHOWN = Counter(
    "crampcare_advice_items_shown_total", "Advice items shown, by category.", ["category"]
)

_CREATED = {Checkin: CHECKINS_CREATED, WorkoutSession: SESSIONS_CREATED}


def record_replay(kind: str) -> None:
    """Count a write that arrived again with a client_id already stored."""
    OUTBOX_REPLAYS.labels(kind=kind).inc()


def record_advice(categories) -> None:
    """Count the advice items about to be shown."""
    for category in categories:
        ADVICE_SHOWN.labels(category=category).inc()


def exposition() -> bytes:
    """The metrics in the Prometheus text format, from every worker when there are several."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest(REGISTRY)


def _note_new_records(session: Session, _context) -> None:
    pending = session.info.setdefault("crampcare_created", [])
    pending.extend(type(record) for record in session.new if type(record) in _CREATED)


def _count_committed(session: Session) -> None:
    for model in session.info.pop("crampcare_created", []):
        _CREATED[model].inc()


def _forget_rolled_back(session: Session) -> None:
    session.info.pop("crampcare_created", None)


# Records count once their transaction commits, whichever code path wrote them.
_LISTENERS = (
    ("before_flush", lambda session, context, _instances: _note_new_records(session, context)),
    ("after_commit", _count_committed),
    ("after_rollback", _forget_rolled_back),
)


def init_app(app: Flask) -> None:
    """Time and count every request; count records as they are committed."""
    for name, listener in _LISTENERS:
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)

    @app.before_request
    def _start_timer():
        g.metrics_started = time.perf_counter()

    @app.after_request
    def _count_request(response):
        endpoint = request.endpoint or "unmatched"
        started = g.get("metrics_started")
        if started is not None:
            LATENCY.labels(endpoint, request.method).observe(time.perf_counter() - started)
        REQUESTS.labels(endpoint, request.method, str(response.status_code)).inc()
        return response
