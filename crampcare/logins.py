"""Server-side sign-ins: each login is a row, its token rides in the signed cookie."""

import hashlib
import hmac
from datetime import timedelta

from flask import Flask, current_app, g, jsonify, redirect, request, session, url_for
from flask_login import LoginManager, current_user, login_user, logout_user
from flask_wtf.csrf import generate_csrf

from .devices import device_label
from .extensions import db
from .models import LoginSession, User, login_by_token, utcnow


def init_app(app: Flask, manager: LoginManager) -> None:
    """Bind Flask-Login to the app with our loader and unauthorised handler."""
    manager.init_app(app)
    manager.session_protection = app.config["SESSION_PROTECTION"]
    manager.login_view = "auth.login"
    manager.login_message = "Please sign in to see that page."
    manager.login_message_category = "info"
    manager.user_loader(load_user)
    manager.unauthorized_handler(unauthorised)
    app.context_processor(lambda: {"account_tag": account_tag})


def account_tag(user=None) -> str | None:
    """An opaque, stable tag of the signed-in account, so the offline outbox sends each
    entry only for the account that made it. It comes from the account's own random
    secret, not its id, so a later account can never share it."""
    user = user or current_user
    if not user.is_authenticated:
        return None
    key = current_app.config["SECRET_KEY"].encode()
    message = f"account:{user.account_secret}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:24]


def load_user(token: str) -> User | None:
    """Find the user of a live sign-in; a deleted sign-in no longer loads anyone."""
    login = login_by_token(token)
    if login is None:
        return None
    now = utcnow()
    idle_limit = timedelta(days=current_app.config["LOGIN_IDLE_DAYS"])
    lifetime = timedelta(days=current_app.config["LOGIN_MAX_DAYS"])
    if now - login.last_seen_at > idle_limit or now - login.created_at > lifetime:
        # Unused for too long, or simply too old: a copied cookie must not work forever.
        db.session.delete(login)
        db.session.commit()
        return None
    touch_every = timedelta(seconds=current_app.config["LOGIN_SESSION_TOUCH_SECONDS"])
    if now - login.last_seen_at > touch_every:
        login.last_seen_at = now
        db.session.commit()
    user = login.user
    user.current_login = login
    login.token = token
    return user


def unauthorised():
    """JSON 401 under /api/, a redirect to the sign-in page elsewhere."""
    if request.path.startswith("/api/"):
        return jsonify(errors={"session": "Sign in first."}), 401
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def start_login(user: User, remember: bool) -> LoginSession:
    """Sign a user in on this device with a fresh session."""
    # Signing in over someone else's sign-in ends theirs, remember-me cookie included,
    # so it cannot come back once this one ends.
    if current_user.is_authenticated and current_user.current_login is not None:
        db.session.delete(current_user.current_login)
        db.session.commit()
    # A new session at every sign-in: nothing set before it carries over. Logging out
    # after the clear marks an old remember-me cookie for deletion in this response.
    session.clear()
    logout_user()
    login = LoginSession.start(user, device_label(request.user_agent.string or ""))
    db.session.add(login)
    db.session.commit()
    user.current_login = login
    login_user(user, remember=remember)
    _new_csrf_secret()
    return login


def _new_csrf_secret() -> None:
    """Give the new session its CSRF secret in the sign-in answer itself.

    Left for later, every request that reaches the server before one of them has set it
    (the first page, the service worker keeping pages) would make a secret of its own, and
    the last answer's cookie would make the others' pages carry tokens already refused.
    """
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)
    generate_csrf()
