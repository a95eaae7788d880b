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
    "REGISTER_LIMIT",
    "MAIL_SERVER",
    "MAIL_USERNAME",
    "MAIL_PASSWORD",
    "MAIL_DEFAULT_SENDER",
    "METRICS_TOKEN",
    "VAPID_PRIVATE_KEY",
    "VAPID_SUBJECT",
)
# Environment variables holding whole numbers.
NUMBER_KEYS = ("LOGIN_IDLE_DAYS", "LOGIN_MAX_DAYS", "TRUSTED_PROXIES", "MAIL_PORT")
# Environment variables holding on/off switches.
SWITCH_KEYS = ("SECURE_COOKIES", "MAIL_USE_TLS", "MAIL_CONSOLE")


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
        # And whatever its use, a sign-in ends this long after it was made.
        "LOGIN_MAX_DAYS": 90,
        "LOGIN_LIMIT_PER_ADDRESS": "20 per minute; 200 per hour",
        # Failed sign-ins per account, counted before the password is checked.
        "LOGIN_LIMIT_PER_ACCOUNT": "5 per minute; 20 per hour",
        # Every re-entry of the password by a signed-in person (change, deletion).
        "PASSWORD_REENTRY_LIMIT": "5 per minute; 20 per hour",
        "REGISTER_LIMIT": "10 per hour",
        # Requests for a reset link, per address and per email typed.
        "FORGOT_LIMIT": "5 per hour",
        # How many proxies in front of the app set X-Forwarded-For; 0 ignores the header.
        "TRUSTED_PROXIES": 0,
        # Audit rows of failed sign-ins to unknown emails are kept this long.
        "UNKNOWN_LOGIN_AUDIT_DAYS": 30,
        "PASSWORD_RESET_MINUTES": 30,
        # A new account's link to confirm its email address works this long.
        "CONFIRM_LINK_HOURS": 24,
        # Mails a visitor can make us send to one address (registering, asking for a new
        # confirmation link), counted per email and, for new links, per address too.
        "ACCOUNT_MAIL_LIMIT": "5 per hour; 20 per day",
        # Mail goes to MAIL_SERVER; with none, MAIL_CONSOLE (set by `make run`) prints it,
        # else it is dropped with a warning (never printed where logs are kept).
        "MAIL_CONSOLE": False,
        "MAIL_SERVER": "",
        "MAIL_PORT": 25,
        "MAIL_USE_TLS": False,
        "MAIL_USERNAME": None,
        "MAIL_PASSWORD": None,
        "MAIL_DEFAULT_SENDER": "CrampCare <no-reply@crampcare.invalid>",
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
    for key in NUMBER_KEYS:
        if os.environ.get(key):
            found[key] = int(os.environ[key])
    if os.environ.get("PUSH_ENDPOINT_HOSTS"):
        hosts = os.environ["PUSH_ENDPOINT_HOSTS"].split(",")
        found["PUSH_ENDPOINT_HOSTS"] = tuple(host.strip() for host in hosts if host.strip())
    # Plain-http local runs (`make run`) turn secure cookies off explicitly.
    for key in SWITCH_KEYS:
        if os.environ.get(key):
            found[key] = os.environ[key].lower() in ("1", "true", "yes", "on")
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
