"""Security headers on every response, the Content-Security-Policy first among them."""

from urllib.parse import urlsplit

from flask import Flask, request

# Areas that show or carry health data: never stored by a browser or the service worker.
NO_STORE_BLUEPRINTS = frozenset(
    {"dashboard", "clinician", "exports", "api", "checkins", "sessions", "sharing"}
)
# Pages of those areas that hold no data of anyone's: the empty forms and background reading.
CACHEABLE_ENDPOINTS = frozenset({"checkins.new_checkin", "checkins.new_cramp", "checkins.learn"})
NO_STORE_PREFIXES = (
    "/dashboard",
    "/checkins",
    "/export",
    "/clinician",
    "/api",
    "/account",
    "/sharing",
    "/sessions",
)
# The empty forms live beside the history but hold no data: they may be cached offline.
CACHEABLE_EXCEPTIONS = frozenset({"/checkins/new"})


def is_health_data_path(path: str) -> bool:
    """True for URLs under the health-data areas, which no cache may keep."""
    if path in CACHEABLE_EXCEPTIONS:
        return False
    return any(path == prefix or path.startswith(prefix + "/") for prefix in NO_STORE_PREFIXES)


def _cacheable_page() -> bool:
    # A form filled in for one session names that session: only the empty form is kept.
    return (
        request.method == "GET"
        and request.endpoint in CACHEABLE_ENDPOINTS
        and not request.query_string
    )


def mark_no_store(response):
    """Send health-data responses with Cache-Control: no-store (the one place that decides)."""
    in_data_area = request.blueprint in NO_STORE_BLUEPRINTS or is_health_data_path(request.path)
    if in_data_area and not _cacheable_page():
        response.headers["Cache-Control"] = "no-store"
    return response


def content_security_policy(htmx_cdn_url: str) -> str:
    """Return the CSP: our own origin only, plus the CDN host for htmx's script."""
    cdn = urlsplit(htmx_cdn_url)
    cdn_origin = f"{cdn.scheme}://{cdn.netloc}" if cdn.netloc else ""
    directives = {
        "default-src": "'self'",
        "script-src": f"'self' {cdn_origin}".strip(),
        "style-src": "'self'",
        "img-src": "'self' data:",
        "connect-src": "'self'",
        "font-src": "'self'",
        "manifest-src": "'self'",
        "worker-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'none'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def init_app(app: Flask) -> None:
    """Attach the security headers to every response of the app."""
    policy = content_security_policy(app.config["HTMX_CDN_URL"])

    @app.after_request
    def _security_headers(response):
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"
        )
        if app.config["SECURE_COOKIES"]:
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=63072000; includeSubDomains"
            )
        mark_no_store(response)
        if response.mimetype == "text/html":
            # Pages and their fragments share URLs: caches must key on the header.
            response.vary.add("HX-Request")
        return response
