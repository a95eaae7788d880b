"""Bytes per page as the app sends them: uncompressed, gzip and brotli.

For each page: the HTML alone, then the first load (the HTML and every static file it
loads: stylesheets, scripts, the modules those import, and the vendored htmx). Each
response is fetched from the app with `Accept-Encoding: identity`, `gzip` and `br`, so
the figures are what Flask-Compress really sends, not a re-compression here (files under
its 500-byte minimum, and images, go as they are).

Run: .venv/bin/python -m bench.compression
"""

import json
import re
import sys
import tempfile
from pathlib import Path
from urllib.parse import urljoin

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crampcare import create_app  # noqa: E402
from crampcare.extensions import db  # noqa: E402
from crampcare.seed import make_demo, seed_routines  # noqa: E402
from crampcare.static_files import RELATIVE_IMPORT  # noqa: E402

ASSET = re.compile(r'(?:src|href|data-src)="(/static/[^"]+)"')
PAGES = {
    "landing": "/",
    "player": "/routines/gentle-lower-back-release/play",
    "check-in form": "/checkins/new",
    "dashboard": "/dashboard",
}
ENCODINGS = ("identity", "gzip", "br")


def sizes(client, url: str) -> tuple[dict[str, int], bytes]:
    """Bytes on the wire for each encoding, and the plain body."""
    found, body = {}, b""
    for encoding in ENCODINGS:
        with client.get(url, headers={"Accept-Encoding": encoding}) as response:
            assert response.status_code == 200, (url, response.status_code)
            data = response.get_data()
            found[encoding] = len(data)
            if encoding == "identity":
                body = data
    return found, body


def first_load(client, page_url: str) -> list[tuple[str, dict[str, int]]]:
    """The page and each static file it loads, with their sizes: a module's relative
    import by the URL the page's import map sends it to, as a browser asks for it."""
    mapped = json.loads(client.application.extensions["import_map"])["imports"]
    page, html = sizes(client, page_url)
    loaded = [("page", page)]
    queue = sorted(set(ASSET.findall(html.decode())))
    seen = set()
    while queue:
        url = queue.pop(0)
        if url in seen or url.split("?")[0].endswith((".png", ".ico", ".webmanifest")):
            continue
        seen.add(url)
        found, body = sizes(client, url)
        loaded.append((url.split("?")[0], found))
        if url.split("?")[0].endswith(".js"):
            imported = [urljoin(url, spec) for spec in RELATIVE_IMPORT.findall(body.decode())]
            queue += [mapped.get(path, path) for path in imported]
    return loaded


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "DATABASE_URL": f"sqlite:///{folder}/bench.sqlite",
                "SECRET_KEY": "bench",
                "SECURE_COOKIES": False,
                "HTMX_CDN_URL": "",
            }
        )
        with app.app_context():
            db.create_all()
            seed_routines()
            logins = make_demo(90)
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
        email, password = logins["patient"]
        client.post("/login", data={"email": email, "password": password, "csrf_token": token})
        print(f"{'page':15} {'part':11} {'plain B':>9} {'gzip B':>8} {'br B':>8} {'br/plain':>9}")
        for name, url in PAGES.items():
            loaded = first_load(client, url)
            html = loaded[0][1]
            total = {e: sum(found[e] for _, found in loaded) for e in ENCODINGS}
            for part, found in (("HTML", html), (f"+{len(loaded) - 1} files", total)):
                print(
                    f"{name:15} {part:11} {found['identity']:9,d} {found['gzip']:8,d} "
                    f"{found['br']:8,d} {found['br'] / found['identity']:8.0%}"
                )
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    main()
