"""Security headers on every response, the Content-Security-Policy first among them."""

from flask import Flask, g, request

from .logins import account_tag
from .static_files import script_hash

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


def never_store() -> None:
    """Keep this response out of every cache: it shows a person's own records or a secret."""
    g.never_store = True


def mark_no_store(response):
    """Decide who may keep a response (the one place that decides).

    Health data and pages showing a person's own records: no-store, so neither the
    browser nor the service worker keeps them. Every other page is private: it
    carries a CSRF token and, signed in, the account's menu and tag.
    """
    in_data_area = request.blueprint in NO_STORE_BLUEPRINTS or is_health_data_path(request.path)
    if (in_data_area and not _cacheable_page()) or g.get("never_store"):
        response.headers["Cache-Control"] = "no-store"
    elif response.mimetype == "text/html" and "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = "private, no-cache"
    return response


def mark_account(response):
    """Name the signed-in account (its opaque tag) on every page, for the service worker.

    The worker clears the pages it kept when this changes: another person signed in,
    or this one was signed out elsewhere.
    """
    if response.mimetype == "text/html":
        response.headers["CrampCare-Account"] = account_tag() or ""
    return response


def content_security_policy(htmx_cdn_url: str, inline_scripts: tuple[str, ...] = ()) -> str:
    """Return the CSP: our own origin only, plus htmx's one file on the CDN, and the inline
    scripts given (the page's import map) by their hashes."""
    allowed = [htmx_cdn_url, *(script_hash(source) for source in inline_scripts)]
    directives = {
        "default-src": "'self'",
        "script-src": " ".join(["'self'", *filter(None, allowed)]),
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
    policy = content_security_policy(app.config["HTMX_CDN_URL"], (app.extensions["import_map"],))

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
        mark_account(response)
        if response.mimetype == "text/html":
            # Pages and their fragments share URLs: caches must key on the header.
            response.vary.add("HX-Request")
        return response
