"""What an operator needs: liveness and readiness probes, metrics, and request logs."""

from flask import Blueprint, Flask

bp = Blueprint("operations", __name__)


def init_app(app: Flask) -> None:
    """Log every request as one JSON line and count it in the metrics."""
    from . import metrics, request_log

    request_log.init_app(app)
    metrics.init_app(app)


from . import routes  # noqa: E402, F401
