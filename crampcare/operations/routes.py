"""Probes for the load balancer and the metrics endpoint for the monitoring system."""

import hmac

from flask import abort, current_app, jsonify, request
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db, limiter
from . import bp, metrics


@bp.get("/healthz")
def healthz():
    """200 while the process lives and answers: the liveness probe."""
    return jsonify(status="ok")


def _database_answers() -> bool:
    try:
        db.session.execute(text("SELECT 1"))
        db.session.commit()
        return True
    except SQLAlchemyError:
        db.session.rollback()
        return False


def _redis_answers() -> bool | None:
    """None when no Redis is configured; else whether the limiter's storage answers."""
    if not current_app.config["RATELIMIT_STORAGE_URI"].startswith(("redis", "rediss")):
        return None
    try:
        return bool(limiter.storage.check())
    except Exception:  # a storage that cannot even be asked is down
        return False


@bp.get("/readyz")
def readyz():
    """200 while the database (and Redis, when configured) answers; else 503 naming what is down."""
    checks = {"database": _database_answers(), "redis": _redis_answers()}
    checks = {name: ok for name, ok in checks.items() if ok is not None}
    down = sorted(name for name, ok in checks.items() if not ok)
    body = {name: "ok" if ok else "down" for name, ok in checks.items()}
    if down:
        return jsonify(status="unavailable", down=down, **body), 503
    return jsonify(status="ok", **body)


@bp.get("/metrics")
def prometheus_metrics():
    """The metrics, only for a bearer of METRICS_TOKEN; 404 for anyone else, and when unset."""
    token = current_app.config.get("METRICS_TOKEN") or ""
    sent = request.headers.get("Authorization", "")
    if not token or not hmac.compare_digest(sent.encode(), f"Bearer {token}".encode()):
        abort(404)
    response = current_app.response_class(metrics.exposition())
    response.headers["Content-Type"] = "text/plain; version=0.0.4; charset=utf-8"
    response.headers["Cache-Control"] = "no-store"
    return response
