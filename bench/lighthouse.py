"""Lighthouse (mobile settings) on the player, the check-in form and the dashboard.

    .venv/bin/python -m bench.lighthouse

Installs lighthouse@12.2.3 into bench/.lighthouse with npm on first use (it runs on
Node 20), serves a seeded app with a demo patient on loopback, and runs Lighthouse
against the system Chromium. Prints the performance, accessibility and best-practices
scores and the bytes each page transferred.
"""

import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

from werkzeug.serving import WSGIRequestHandler, make_server

from crampcare import create_app
from crampcare.extensions import db
from crampcare.seed import make_demo, seed_routines

HERE = Path(__file__).resolve().parent
PREFIX = HERE / ".lighthouse"
OUT = HERE / "out"
CLI = PREFIX / "node_modules" / "lighthouse" / "cli" / "index.js"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
PAGES = {
    "player": "/routines/gentle-lower-back-release/play",
    "check-in form": "/checkins/new",
    "dashboard": "/dashboard",
}
CATEGORIES = ("performance", "accessibility", "best-practices")
CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')


class QuietHandler(WSGIRequestHandler):
    """No access log: only the figures are printed."""

    def log_request(self, *args, **kwargs) -> None:
        pass


def ensure_lighthouse() -> None:
    """Install the pinned Lighthouse once."""
    if CLI.exists():
        return
    PREFIX.mkdir(exist_ok=True)
    # A package.json of its own, or npm walks up to the project's and installs there.
    manifest = PREFIX / "package.json"
    if not manifest.exists():
        manifest.write_text('{\n  "private": true\n}\n')
    npm = shutil.which("npm") or "npm"
    subprocess.run(
        [npm, "install", "--no-audit", "--no-fund", "-E", "lighthouse@12.2.3"],
        cwd=PREFIX,
        check=True,
    )


def signed_in_cookie(app, email: str, password: str) -> str:
    """Sign in through the real form and return the Cookie header it earned."""
    client = app.test_client()
    token = CSRF.search(client.get("/login").get_data(as_text=True)).group(1)
    response = client.post(
        "/login", data={"email": email, "password": password, "csrf_token": token}
    )
    assert response.status_code == 303, response.status_code
    return f"session={client.get_cookie('session').value}"


def run_lighthouse(url: str, cookie: str) -> dict:
    """One Lighthouse run with its default mobile emulation and throttling."""
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.json"
        subprocess.run(
            [
                "node",
                str(CLI),
                url,
                "--quiet",
                "--output=json",
                f"--output-path={report}",
                f"--only-categories={','.join(CATEGORIES)}",
                f"--extra-headers={json.dumps({'Cookie': cookie})}",
                "--chrome-flags=--headless=new --no-sandbox --disable-gpu "
                "--disable-background-networking --disable-component-update",
            ],
            env={**os.environ, "CHROME_PATH": CHROMIUM},
            check=True,
            timeout=300,
        )
        result = json.loads(report.read_text())
    # The whole report, to read what an audit found: bench/out/lighthouse-<page>.json.
    OUT.mkdir(exist_ok=True)
    name = url.rstrip("/").rsplit("/", 1)[-1] or "landing"
    (OUT / f"lighthouse-{name}.json").write_text(json.dumps(result))
    return result


def main() -> None:
    """Serve the app, run Lighthouse on each page, print the figures."""
    ensure_lighthouse()
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "DATABASE_URL": f"sqlite:///{folder}/lighthouse.sqlite",
                "SECRET_KEY": "lighthouse",
                "SECURE_COOKIES": False,
                # Lighthouse loads from loopback with no internet: htmx from our own copy.
                "HTMX_CDN_URL": "",
            }
        )
        with app.app_context():
            db.create_all()
            seed_routines()
            logins = make_demo(90)
        server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}"
        cookie = signed_in_cookie(app, *logins["patient"])
        print(f"{'page':<15}{'perf':>6}{'a11y':>6}{'best':>6}{'bytes':>10}")
        for name, path in PAGES.items():
            result = run_lighthouse(base + path, cookie)
            scores = [round(result["categories"][c]["score"] * 100) for c in CATEGORIES]
            transferred = result["audits"]["total-byte-weight"]["numericValue"]
            print(f"{name:<15}{scores[0]:>6}{scores[1]:>6}{scores[2]:>6}{transferred:>10.0f}")
        server.shutdown()


if __name__ == "__main__":
    main()
