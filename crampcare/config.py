"""Default configuration, overridden by the environment and then by a test config."""

import contextlib
import os
import secrets
import tempfile
from pathlib import Path

# Push services of the browsers people use: Chrome and Edge on Android and desktop
# (Firebase Cloud Messaging), Firefox (Mozilla autopush), Safari (Apple), Edge on Windows.
DEFAULT_PUSH_HOSTS = (
    "fcm.googleapis.com",
    "updates.push.services.mozilla.com",
    "*.push.services.mozilla.com",
    "web.push.apple.com",
    "*.notify.windows.com",
)

# Environment variables that map one-to-one onto config keys.
ENVIRONMENT_KEYS = (
    "SECRET_KEY",
    "DATABASE_URL",
    "RATELIMIT_STORAGE_URI",
    "RATELIMIT_KEY_PREFIX",
    "METRICS_TOKEN",
    "VAPID_PRIVATE_KEY",
    "VAPID_SUBJECT",
)


def defaults(instance_path: str) -> dict:
    """Return the configuration every app starts from."""
    return {
        "DATABASE_URL": f"sqlite:///{Path(instance_path) / 'crampcare.sqlite'}",
        "RATELIMIT_STORAGE_URI": "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        # Refuse request bodies over 1 MB (413).
        "MAX_CONTENT_LENGTH": 1024 * 1024,
        "WTF_CSRF_TIME_LIMIT": 8 * 3600,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_DURATION": 60 * 60 * 24 * 30,
        # Phones hop between Wi-Fi and mobile data: "strong" would log them out.
        "SESSION_PROTECTION": "basic",
        # Secure, __Host- prefixed cookies and HSTS; off only for local debug and tests.
        "SECURE_COOKIES": None,
        # Only write last-seen times this often, so reads stay reads.
        "LOGIN_SESSION_TOUCH_SECONDS": 300,
        # A sign-in unused for this long ends on the server (as long as remember-me lasts).
        "LOGIN_IDLE_DAYS": 30,
        "LOGIN_LIMIT_PER_ADDRESS": "20 per minute; 200 per hour",
        "LOGIN_LIMIT_PER_ACCOUNT": "5 per minute; 20 per hour",
        "HTMX_VERSION": "2.0.11",
        "HTMX_CDN_URL": "https://cdn.jsdelivr.net/npm/htmx.org@2.0.11/dist/htmx.min.js",
        "HTMX_SRI": "sha384-2OatzQy1H+Zd/IIrjr1TcuDGqLXeHhbooAyJY1KdQMKnr4LZ22k31GBLdYKHmVjg",
        "SQLITE_BUSY_TIMEOUT_MS": 15000,
        # Reminders (Web Push): who the push services may contact about our messages,
        # how long a reminder is worth delivering, and how late a run may still send it.
        "VAPID_SUBJECT": "mailto:reminders@crampcare.invalid",
        "PUSH_TTL_SECONDS": 4 * 3600,
        "REMINDER_WINDOW_MINUTES": 60,
        "PUSH_ENDPOINT_HOSTS": DEFAULT_PUSH_HOSTS,
    }


def from_environment() -> dict:
    """Return the config keys set in the environment."""
    found = {key: os.environ[key] for key in ENVIRONMENT_KEYS if os.environ.get(key)}
    if os.environ.get("PUSH_ENDPOINT_HOSTS"):
        hosts = os.environ["PUSH_ENDPOINT_HOSTS"].split(",")
        found["PUSH_ENDPOINT_HOSTS"] = tuple(host.strip() for host in hosts if host.strip())
    # Plain-http local runs (`make run`) turn secure cookies off explicitly.
    if os.environ.get("SECURE_COOKIES"):
        found["SECURE_COOKIES"] = os.environ["SECURE_COOKIES"].lower() in ("1", "true", "yes")
    return found


def load_or_create_secret_key(instance_path: str) -> str:
    """Read the secret key kept in the instance folder, creating it (mode 0600) on first run."""
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    # Write a private temporary file, then link it into place: the link either
    # succeeds whole or fails because another worker got there first.
    fd, temporary = tempfile.mkstemp(dir=instance_path, prefix=".secret_key.")
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        os.unlink(temporary)
    return path.read_text().strip()
