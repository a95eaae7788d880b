"""Static files: a content hash in every URL, immutable caching for it, and compression.

`url_for('static', filename=…)` adds `?v=<hash of the file's bytes>`. A request carrying
the file's current hash is answered with a year-long immutable cache, its bytes compressed
once at the best ratio and kept; any other (no hash, or an old one) with a short cache
the browser revalidates, so it never keeps a stale file, compressed per request like a
page.

A module that imports another by a relative path (`import … from "./instants.js"`) asks
for the bare URL, which carries no hash. Every page therefore starts with an import map
that sends each such URL to its hashed one; the Content-Security-Policy allows that one
inline script by the SHA-256 of its text.
"""

import base64
import gzip
import hashlib
import json
import re
from functools import cache
from pathlib import Path

import brotli
from flask import Flask, request
from markupsafe import Markup

from .extensions import compress

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "public, max-age=0, must-revalidate"
# Text the app compresses (brotli, else gzip); images and fonts arrive compressed already.
COMPRESSED_TYPES = (
    "text/html",
    "text/css",
    "text/javascript",
    "application/javascript",
    "application/json",
    "application/manifest+json",
    "image/svg+xml",
)


def file_hashes(static_folder: str | Path) -> dict[str, str]:
    """A short hash of each static file's bytes, by its path under the folder."""
    root = Path(static_folder)
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        for path in sorted(root.rglob("*"))
        if path.is_file() and not any(part.startswith(".") for part in path.parts)
    }


# The module a static JavaScript file imports or re-exports by a relative path: `import
# "./a.js"`, `import … from "./a.js"`, `export … from "./a.js"` or `import("./a.js")`.
RELATIVE_IMPORT = re.compile(r"""\b(?:from|import)\s*(?:\(\s*)?["'](\.{1,2}/[^"'\n]+)["']""")


def relative_imports(static_folder: str | Path) -> set[str]:
    """The static files that a module imports by a relative path, by path under the folder."""
    root = Path(static_folder).resolve()
    found = set()
    for module in root.rglob("*.js"):
        for specifier in RELATIVE_IMPORT.findall(module.read_text("utf-8", errors="replace")):
            target = (module.parent / specifier).resolve()
            if target.is_relative_to(root) and target.is_file():
                found.add(target.relative_to(root).as_posix())
    return found


def import_map(static_url_path: str, hashes: dict[str, str], modules: set[str]) -> str:
    """The page's import map: each module's bare URL to its URL with the content hash."""
    imports = {
        f"{static_url_path}/{name}": f"{static_url_path}/{name}?v={hashes[name]}"
        for name in sorted(modules)
        if name in hashes
    }
    return json.dumps({"imports": imports}, separators=(",", ":"))


@cache
def _import_map_of(static_folder: str, static_url_path: str, hashes: tuple) -> str:
    """The import map, read from the modules once a process for the same files (`hashes`):
    reading them costs several milliseconds, and the tests make hundreds of apps."""
    return import_map(static_url_path, dict(hashes), relative_imports(static_folder))


def script_hash(source: str) -> str:
    """The CSP source that allows an inline script with exactly this text."""
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def init_app(app: Flask) -> None:
    """Hash the static files once at start, version their URLs, set their caching."""
    hashes = file_hashes(app.static_folder)
    app.extensions["static_hashes"] = hashes
    # Under a URL prefix the map's keys match nothing: the modules then load by their bare
    # URLs, revalidated, as before.
    modules = _import_map_of(app.static_folder, app.static_url_path, tuple(hashes.items()))
    app.extensions["import_map"] = modules
    app.jinja_env.globals["import_map"] = Markup(modules)
    app.config.setdefault("COMPRESS_MIMETYPES", list(COMPRESSED_TYPES))
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    # Streamed responses (the exports) go out as they are made: never buffered, never wrapped.
    app.config.setdefault("COMPRESS_STREAMS", False)
    compress.init_app(app)

    @app.url_defaults
    def _versioned(endpoint, values):
        if endpoint == "static" and "v" not in values:
            digest = hashes.get(values.get("filename", ""))
            if digest:
                values["v"] = digest

    @app.after_request
    def _static_caching(response):
        if request.endpoint != "static" or response.status_code not in (200, 304):
            return response
        filename = (request.view_args or {}).get("filename", "")
        current = hashes.get(filename)
        fresh = current is not None and request.args.get("v") == current
        response.headers["Cache-Control"] = IMMUTABLE if fresh else REVALIDATE
        if not fresh:
            response.expires = None
        if response.status_code == 200 and response.mimetype in COMPRESSED_TYPES:
            _read_whole(response)
            if fresh:
                _send_compressed(response, filename, current)
        return response

    def _send_compressed(response, filename: str, digest: str) -> None:
        encoding = request.accept_encodings.best_match(("br", "gzip"))
        if encoding is None:
            return
        key = (filename, digest, encoding)
        if key not in COMPRESSED:
            COMPRESSED[key] = _compress(response.get_data(), encoding)
        response.set_data(COMPRESSED[key])
        response.headers["Content-Encoding"] = encoding
        etag, _weak = response.get_etag()
        if etag:
            response.set_etag(f"{etag}:{encoding}")
        response.make_conditional(request)


# A hashed file never changes: it is compressed once a process, at the best ratio (a
# quarter of a second of brotli for the files the service worker keeps), then reused by
# every app of the process, keyed by its name, the hash of its bytes and the encoding.
COMPRESSED: dict[tuple[str, str, str], bytes] = {}


def _compress(data: bytes, encoding: str) -> bytes:
    if encoding == "br":
        return brotli.compress(data, quality=11)
    return gzip.compress(data, compresslevel=9, mtime=0)


def _read_whole(response) -> None:
    """Read a small static file into the response and close it.

    Compressing it as a stream would wrap the open file in a generator that never
    closes it; read whole, it is compressed in one go like any page.
    """
    source = response.response
    try:
        data = b"".join(source)
    finally:
        if hasattr(source, "close"):
            source.close()
    response.direct_passthrough = False
    response.set_data(data)
