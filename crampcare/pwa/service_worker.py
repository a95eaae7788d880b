"""What the service worker is built from: its version and the URLs it precaches."""

import hashlib
from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from ..extensions import db
from ..models import Routine

# Pages a patient needs at the gym without a connection, in the order they are fetched.
SHELL_PAGES = ("/", "/offline")
FORM_PAGES = ("/routines", "/checkins/new", "/cramps/new")
ROUTINE_PAGES = ("/routines/{slug}", "/routines/{slug}/play")


@dataclass(frozen=True)
class Build:
    """The service worker's source, its version, and the static URLs it precaches."""

    version: str
    static_files: tuple[str, ...]
    worker_source: str


def static_files(static_folder: str | Path) -> list[Path]:
    """Every file the static folder serves, in a stable order, hidden files left out."""
    root = Path(static_folder)
    return sorted(
        path
        for path in root.rglob("*")
        if path.is_file() and not any(part.startswith(".") for part in path.parts)
    )


def content_version(static_folder: str | Path, extra: tuple[bytes, ...] = ()) -> str:
    """A short hash of the static files' names and bytes: it changes when any of them does."""
    root = Path(static_folder)
    digest = hashlib.sha256()
    for path in static_files(root):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    for chunk in extra:
        digest.update(chunk + b"\0")
    return digest.hexdigest()[:16]


def make_build(app: Flask) -> Build:
    """Hash the static files once, at start, with the worker's own source and a config salt."""
    # The outbox comes first, in the worker's own file: a script the worker imported would
    # be fetched again by the browser's update check on a repeat visit.
    outbox = Path(app.static_folder, "js", "outbox.js").read_bytes()
    worker_source = outbox + b"\n" + Path(app.template_folder, "pwa", "sw.js").read_bytes()
    salt = str(app.config.get("PWA_VERSION_SALT", "")).encode()
    version = content_version(app.static_folder, (worker_source, salt))
    root = Path(app.static_folder)
    prefix = app.static_url_path.rstrip("/")
    # Each file by its hashed URL, the one pages ask for: it is served immutable.
    hashes = app.extensions.get("static_hashes", {})
    urls = tuple(
        _versioned(f"{prefix}/{name}", hashes.get(name))
        for name in (path.relative_to(root).as_posix() for path in static_files(root))
    )
    return Build(version=version, static_files=urls, worker_source=worker_source.decode())


def _versioned(url: str, digest: str | None) -> str:
    return f"{url}?v={digest}" if digest else url


def route_exists(app: Flask, path: str) -> bool:
    """True when a GET of this path reaches a page of the app (not the static files)."""
    adapter = app.url_map.bind("localhost")
    try:
        endpoint, _ = adapter.match(path, method="GET")
    except HTTPException:  # NotFound, MethodNotAllowed and RequestRedirect alike
        return False
    return endpoint != "static"


def page_urls(app: Flask) -> list[str]:
    """The shell, the empty forms, and each library routine's page and player that exist."""
    slugs = db.session.scalars(
        select(Routine.slug).where(Routine.owner_id.is_(None)).order_by(Routine.slug)
    ).all()
    candidates = [*SHELL_PAGES, *FORM_PAGES]
    candidates += [pattern.format(slug=slug) for slug in slugs for pattern in ROUTINE_PAGES]
    return [path for path in candidates if route_exists(app, path)]
