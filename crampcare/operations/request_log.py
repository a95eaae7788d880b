"""One JSON line per request, and error reports that carry no personal data.

A line names the endpoint and route, never the path or query (a reset link's token is in
its path), and never a body. An error is logged by its type and stack frames only: an
exception's message can quote what a person typed (a database error quotes its SQL
parameters), so it is left out.
"""

import logging
import re
import time
import traceback
import uuid
from datetime import UTC, datetime

from flask import Flask, g, request
from pythonjsonlogger.json import JsonFormatter

REQUEST_ID_HEADER = "X-Request-ID"
# A request id from a proxy is kept only when it is a plain token of sane length.
SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")

logger = logging.getLogger("crampcare.requests")
error_logger = logging.getLogger("crampcare.errors")


def _configure(target: logging.Logger) -> None:
    if target.handlers:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter(timestamp=False))
    target.addHandler(handler)
    target.setLevel(logging.INFO)
    target.propagate = False


class _NoRequestLines(logging.Filter):
    """Drops the development server's own request lines: ours replace them."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.msg != '"%s" %s %s'


def request_id() -> str:
    """This request's id: the one a proxy sent, when it is sane, else a new one."""
    if "request_id" not in g:
        sent = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = sent if SAFE_REQUEST_ID.fullmatch(sent) else uuid.uuid4().hex
    return g.request_id


def _signed_in_user_id() -> int | None:
    # Only a user this request already loaded: logging must not cost a query.
    user = g.get("_login_user")
    return getattr(user, "id", None) if getattr(user, "is_authenticated", False) else None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def init_app(app: Flask) -> None:
    """Give every request an id, log it as one line, and log errors without their data."""
    _configure(logger)
    _configure(error_logger)
    logging.getLogger("werkzeug").addFilter(_NoRequestLines())

    @app.before_request
    def _start_clock():
        g.request_started = time.perf_counter()
        request_id()

    @app.after_request
    def _log_request(response):
        started = g.get("request_started", time.perf_counter())
        response.headers[REQUEST_ID_HEADER] = request_id()
        logger.info(
            "request",
            extra={
                "time": _now(),
                "request_id": request_id(),
                "method": request.method,
                "endpoint": request.endpoint,
                "route": request.url_rule.rule if request.url_rule else None,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                "user_id": _signed_in_user_id(),
            },
        )
        return response

    def log_exception(exc_info) -> None:
        kind, _error, trace = exc_info
        error_logger.error(
            "unhandled error",
            extra={
                "time": _now(),
                "request_id": request_id(),
                "method": request.method,
                "endpoint": request.endpoint,
                "error": f"{kind.__module__}.{kind.__qualname__}",
                "stack": [
                    f"{frame.filename}:{frame.lineno} in {frame.name}"
                    for frame in traceback.extract_tb(trace)
                ],
            },
        )

    app.log_exception = log_exception
