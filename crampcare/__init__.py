"""CrampCare: guided back stretching, cramp check-ins and advice."""

from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import (
    config,
    errors,
    form_text,
    formatting,
    headers,
    kept_copies,
    logins,
    operations,
    passwords,
    static_files,
)
from .database import configure_engine, engine_options, never_reuse_ids
from .extensions import csrf, db, limiter, login_manager, mail, migrate
from .logbook import versions
from .record_ids import RecordIdConverter

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: defaults, then the environment, then the test config."""
    app = Flask(
        __name__,
        instance_path=str(PROJECT_ROOT / "instance"),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.update(config.defaults(app.instance_path))
    app.config.update(config.from_environment())
    if test_config:
        app.config.update(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = config.load_or_create_secret_key(app.instance_path)
    _configure_cookies(app)
    _trust_proxies(app)

    app.config["SQLALCHEMY_DATABASE_URI"] = app.config["DATABASE_URL"]
    app.config.setdefault(
        "SQLALCHEMY_ENGINE_OPTIONS",
        engine_options(app.config["DATABASE_URL"], app.config["SQLITE_BUSY_TIMEOUT_MS"]),
    )
    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    passwords.init_app(app)
    form_text.init_app(app)
    limiter.init_app(app)
    # Mail is sent whenever a server is named, tests included (a local SMTP server).
    app.config.setdefault("MAIL_SUPPRESS_SEND", False)
    mail.init_app(app)
    logins.init_app(app, login_manager)
    kept_copies.init_app(app)
    static_files.init_app(app)
    headers.init_app(app)
    errors.init_app(app)
    formatting.init_app(app)
    versions.init_app(app)
    operations.init_app(app)

    # Before any route is added: every `<int:…>` then stops at what a column can hold.
    app.url_map.converters["int"] = RecordIdConverter
    _register_blueprints(app)
    _register_commands(app)
    # Once every model is imported.
    never_reuse_ids(db.metadata)
    return app


def _configure_cookies(app: Flask) -> None:
    """Secure, __Host- prefixed cookies everywhere but local debug and tests."""
    secure = app.config["SECURE_COOKIES"]
    if secure is None:
        secure = not (app.debug or app.testing)
        app.config["SECURE_COOKIES"] = secure
    if secure:
        app.config.update(
            SESSION_COOKIE_NAME="__Host-session",
            SESSION_COOKIE_SECURE=True,
            REMEMBER_COOKIE_NAME="__Host-remember",
            REMEMBER_COOKIE_SECURE=True,
        )
    else:
        app.config.setdefault("REMEMBER_COOKIE_NAME", "remember_token")


def _trust_proxies(app: Flask) -> None:
    """Behind N proxies, read the client's address and scheme from the headers they set.

    Unset (0), X-Forwarded-* headers are ignored: any client could write them.
    """
    hops = int(app.config["TRUSTED_PROXIES"] or 0)
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)


def _register_blueprints(app: Flask) -> None:
    from . import (
        api,
        auth,
        checkins,
        clinician,
        dashboard,
        exports,
        pwa,
        routines,
        sessions,
        sharing,
    )

    for module in (
        auth,
        pwa,
        routines,
        checkins,
        sessions,
        dashboard,
        clinician,
        exports,
        sharing,
        api,
        operations,
    ):
        app.register_blueprint(module.bp)


def _register_commands(app: Flask) -> None:
    from . import commands

    commands.init_app(app)
