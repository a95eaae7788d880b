"""The app shell: landing page, health check, manifest, service worker and offline page."""

from flask import Blueprint

bp = Blueprint("pwa", __name__)


@bp.record_once
def _build_service_worker(state) -> None:
    # Hash the static files once per app: serving sw.js must stay cheap.
    from .service_worker import make_build

    state.app.extensions["pwa_build"] = make_build(state.app)


from . import routes  # noqa: E402, F401
