"""Landing page, health check, and what makes CrampCare an installable offline app."""

import json
from urllib.parse import urlsplit

from flask import current_app, jsonify, render_template, url_for
from flask_login import current_user

from .. import plans
from ..headers import CACHEABLE_EXCEPTIONS, NO_STORE_PREFIXES, never_store
from ..kept_copies import KEEP_HEADER
from ..routines.queries import routine_to_start, visitor_urgent_advice
from . import bp
from .service_worker import page_urls

THEME_COLOR = "#0f766e"
BACKGROUND_COLOR = "#f6f8f8"


@bp.get("/")
def index():
    """The landing page: what CrampCare does, or your next step when signed in."""
    patient = current_user.is_authenticated and current_user.is_patient
    next_routine = routine_to_start() if patient else None
    patient_plans = plans.patient_plans(current_user) if patient else []
    pressing = visitor_urgent_advice()
    if (
        pressing
        or patient_plans
        or (next_routine is not None and next_routine.owner_id is not None)
    ):
        never_store()  # advice read from this person's log, their plans, or a routine they built
    return render_template(
        "index.html", next_routine=next_routine, plans=patient_plans, pressing=pressing
    )


@bp.get("/offline")
def offline():
    """What the service worker shows for a page it has not kept."""
    return render_template("pwa/offline.html")


def _icon(filename: str, size: int, purpose: str = "any") -> dict:
    return {
        "src": url_for("static", filename=f"icons/{filename}"),
        "sizes": f"{size}x{size}",
        "type": "image/png",
        "purpose": purpose,
    }


@bp.get("/manifest.webmanifest")
def manifest():
    """The web app manifest: name, colours, icons and shortcuts for the home screen."""
    shortcut_icon = [_icon("icon-192.png", 192)]
    body = {
        "id": "/?source=pwa",
        "name": "CrampCare",
        "short_name": "CrampCare",
        "description": "Guided back stretching, cramp check-ins and advice you can act on.",
        "lang": "en",
        "start_url": "/?source=pwa",
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "theme_color": THEME_COLOR,
        "background_color": BACKGROUND_COLOR,
        "icons": [
            _icon("icon-192.png", 192),
            _icon("icon-512.png", 512),
            _icon("icon-maskable-512.png", 512, "maskable"),
        ],
        "shortcuts": [
            {"name": "Start a routine", "url": "/routines", "icons": shortcut_icon},
            {"name": "Log a cramp", "url": "/cramps/new", "icons": shortcut_icon},
        ],
    }
    response = jsonify(body)
    response.mimetype = "application/manifest+json"
    return response


@bp.get("/sw.js")
def service_worker():
    """The service worker, versioned by the static files' content, for the whole origin."""
    build = current_app.extensions["pwa_build"]
    cdn_url = current_app.config["HTMX_CDN_URL"]
    cdn = urlsplit(cdn_url)
    settings = {
        "version": build.version,
        "staticFiles": list(build.static_files),
        "pages": page_urls(current_app),
        "neverCache": list(NO_STORE_PREFIXES),
        "cacheable": sorted(CACHEABLE_EXCEPTIONS),
        "htmxCdnUrl": cdn_url,
        "htmxVendored": url_for(
            "static", filename=f"vendor/htmx-{current_app.config['HTMX_VERSION']}.min.js"
        ),
        "notificationIcon": url_for("static", filename="icons/icon-192.png"),
        "keepHeader": KEEP_HEADER,
    }
    source = f"self.WORKER_SETTINGS = {json.dumps(settings)};\n{build.worker_source}"
    response = current_app.response_class(source, mimetype="application/javascript")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    # The worker itself fetches: let it reach the CDN for htmx, and nothing else outside.
    response.headers["Content-Security-Policy"] = (
        f"default-src 'self'; connect-src 'self' {cdn.scheme}://{cdn.netloc}; "
        "object-src 'none'; base-uri 'none'"
    )
    return response
