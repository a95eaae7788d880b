#!/usr/bin/env python
"""Server time of the dashboard and its panels with three years of daily history.

Each URL is requested N times, in interleaved rounds, through the WSGI app in this
process (the test client: no network, so the figures are the server's own time),
beside /healthz on the same app.
Prints p50 and p95 in milliseconds and the ratio of each p95 to /healthz's p95. The
page is kept per user until the log changes; "#after-a-change" times the first view
after a change, with nothing kept.

With --after-checkin, each round POSTs a new check-in (as the page's JSON call does),
then GETs /healthz, /learn and /dashboard: the log changed, so the kept copy can never
serve it (checked: every view renders afresh). The check-in is then deleted, untimed, so
the history keeps its length. That is timed beside /healthz at each length of history in
--days (comma-separated), and printed as one table. /learn, a signed-in page with the
site's layout and nothing of the log, is the floor any page of the site stands on.

With --after-checkin --http, the same rounds go over loopback HTTP to gunicorn (one sync
worker, as `app:app` is served) from a client that sends a browser's Accept-Encoding:
the time a person waits, connection, compression and all, the way an outside benchmark
measures it.

Usage: .venv/bin/python bench/dashboard.py [--requests 200] [--days 1095] [--database-url URL]
       .venv/bin/python bench/dashboard.py --after-checkin --days 30,365,1095,3650 [--http]
"""

import argparse
import json
import os
import random
import re
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path
from statistics import quantiles

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crampcare import create_app  # noqa: E402
from crampcare.dashboard.cache import MAX_ENTRIES  # noqa: E402
from crampcare.extensions import db  # noqa: E402
from crampcare.seed import make_demo, seed_routines  # noqa: E402

HX = {"HX-Request": "true"}
# The dashboard as the first view after the log changed: its kept copy is gone.
COLD = "/dashboard?range=7#after-a-change"
COLD_RANGE = 7  # only this target asks for 7 days, so only its kept copies are dropped
TARGETS = [
    ("/healthz", {}),
    ("/dashboard", {}),
    ("/dashboard?range=90", {}),
    ("/dashboard?range=90", HX),
    ("/dashboard/advice", HX),
    ("/dashboard/sessions", HX),
    ("/dashboard/chart?range=90", HX),
    ("/dashboard/water?range=90", HX),
    ("/dashboard/checkins", HX),
    (COLD, {}),
]


def percentiles(samples: list[float]) -> tuple[float, float]:
    """p50 and p95 of a list of timings."""
    cuts = quantiles(samples, n=100, method="inclusive")
    return cuts[49], cuts[94]


def add_daily_checkins(email: str, days: int) -> None:
    """One more check-in every evening, so the history is daily on top of the demo's sessions."""
    from sqlalchemy import insert, select

    from crampcare.models import Checkin, User, utcnow

    user = db.session.scalar(select(User).where(User.email == email))
    rng = random.Random(5)
    evening = utcnow().replace(hour=21, minute=0, second=0, microsecond=0)
    rows = []
    for n in range(1, days + 1):
        severity = rng.choice((0, 0, 0, 0, 1, 2))
        rows.append(
            {
                "user_id": user.id,
                "client_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                "recorded_at": evening - timedelta(days=n),
                "recorded_offset_minutes": 0,
                "cramp_severity": severity,
                "cramp_timing": "night" if severity else None,
                "cramp_locations": [],
                "water_ml": rng.randrange(0, 1500, 50),
                "electrolytes": [],
                "red_flags": [],
            }
        )
    db.session.execute(insert(Checkin), rows)
    db.session.commit()


def sign_in(client, email: str, password: str) -> None:
    """Sign in through the real form, CSRF token and all."""
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    response = client.post(
        "/login", data={"email": email, "password": password, "csrf_token": token}
    )
    assert response.status_code in (302, 303), response.status_code


def time_requests(client, targets: list[tuple[str, dict]], n: int) -> list[list[float]]:
    """Wall time in ms of n rounds; each round asks every target once, in turn.

    Interleaving puts /healthz and the dashboard under the same load on a busy machine.
    """
    samples: list[list[float]] = [[] for _ in targets]
    for round_number in range(n + 5):
        for index, (path, headers) in enumerate(targets):
            if path == COLD:
                kept = client.application.extensions["dashboard_cache"].entries
                for key in [key for key in kept if key.range_days == COLD_RANGE]:
                    del kept[key]
            start = time.perf_counter()
            response = client.get(path.split("#")[0], headers=headers)
            response.get_data()
            elapsed = (time.perf_counter() - start) * 1000
            assert response.status_code == 200, (path, response.status_code)
            if round_number >= 5:  # the first rounds warm the caches up
                samples[index].append(elapsed)
    return samples


def csrf_header(client) -> dict:
    """The CSRF header the page's own JSON calls send."""
    page = client.get("/").get_data(as_text=True)
    return {"X-CSRFToken": re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)}


def new_checkin(number: int) -> dict:
    """A check-in as the form's JSON call sends it, recorded now."""
    from crampcare.models import utcnow

    return {
        "client_id": str(uuid.uuid4()),
        "recorded_at": utcnow().isoformat(),
        "cramp_severity": number % 3,
        "cramp_timing": "after_stretch" if number % 3 else None,
        "water_ml": 250 + 50 * (number % 10),
    }


def kept_entries(client) -> int:
    """How many rendered dashboards the app keeps."""
    cache = client.application.extensions.get("dashboard_cache")
    return 0 if cache is None else len(cache.entries)


def remove_checkin(app, checkin_id: int) -> None:
    """Take the round's check-in out again, untimed, so the history keeps its length."""
    from sqlalchemy import delete

    from crampcare.models import Checkin

    with app.app_context():
        db.session.execute(delete(Checkin).where(Checkin.id == checkin_id))
        db.session.commit()


AFTER_CHECKIN_PAGES = ("healthz", "learn", "dashboard")


def time_after_checkins(client, n: int) -> dict[str, list[float]]:
    """Rounds of: POST a check-in, then GET each of AFTER_CHECKIN_PAGES; ms of each GET.

    Both wall time and this thread's CPU time: on a machine shared with other work the
    CPU time is the server's own cost, the wall time adds the waits for a core.
    """
    headers = csrf_header(client)
    samples: dict[str, list[float]] = {
        f"{page}{kind}": [] for page in AFTER_CHECKIN_PAGES for kind in ("", " cpu")
    }
    for round_number in range(n + 5):
        response = client.post("/api/checkins", json=new_checkin(round_number), headers=headers)
        assert response.status_code == 201, response.get_data(as_text=True)
        response_id = response.get_json()["id"]
        for path in AFTER_CHECKIN_PAGES:
            before = kept_entries(client)
            start, cpu = time.perf_counter(), time.thread_time()
            response = client.get(f"/{path}")
            response.get_data()
            wall, cpu = time.perf_counter() - start, time.thread_time() - cpu
            assert response.status_code == 200, (path, response.status_code)
            if round_number >= 5:
                samples[path].append(wall * 1000)
                samples[f"{path} cpu"].append(cpu * 1000)
        # A new entry was stored: this view was rendered, not served from a kept copy.
        assert kept_entries(client) == min(before + 1, MAX_ENTRIES), "served from the kept copy"
        remove_checkin(client.application, response_id)
    return samples


# What a browser asks for: the pages come back compressed, as they would to a phone.
BROWSER = {"Accept-Encoding": "br, gzip", "Accept": "text/html"}


def time_after_checkins_over_http(patient, n: int) -> dict[str, list[float]]:
    """Rounds of: POST a check-in, then GET each of AFTER_CHECKIN_PAGES over HTTP; ms of
    each GET, from sending the request to the last byte of the answer. Every POST changes
    the log's version, which the kept copy's key holds, so no GET is served from it."""
    samples: dict[str, list[float]] = {page: [] for page in AFTER_CHECKIN_PAGES}
    for round_number in range(n + 5):
        status, body = patient.send_json("POST", "/api/checkins", new_checkin(round_number))
        assert status == 201, (status, body[:200])
        checkin_id = json.loads(body)["id"]
        for path in AFTER_CHECKIN_PAGES:
            start = time.perf_counter()
            status, _ = patient.get(f"/{path}", BROWSER)
            elapsed = (time.perf_counter() - start) * 1000
            assert status == 200, (path, status)
            if round_number >= 5:
                samples[path].append(elapsed)
        status, _ = patient.send_json("DELETE", f"/api/checkins/{checkin_id}")
        assert status == 204, status
    return samples


def over_http(folder: str, url: str, days: int, n: int) -> dict[str, list[float]]:
    """The after-check-in rounds against gunicorn serving a database with `days` of history."""
    from bench.loadgen import Patient, Server

    app, logins = history_app(folder, url, days)
    database_url = app.config["SQLALCHEMY_DATABASE_URI"]
    close_database(app)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "bench",
        "SECURE_COOKIES": "0",
    }
    server = Server(env, workers=1).start()
    try:
        email, password = logins["patient"]
        patient = Patient(server.port, email, server.inbox)
        patient.sign_in(password)
        return time_after_checkins_over_http(patient, n)
    finally:
        server.stop()


def close_database(app) -> None:
    """Let go of the app's connections, so its database can be served or removed."""
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def history_app(folder: str, url: str, days: int):
    """An app over a new database holding the demo patient with `days` days of history."""
    app = create_app(
        {
            "DATABASE_URL": url or f"sqlite:///{folder}/bench-{days}.sqlite",
            "SECRET_KEY": "bench",
            "SECURE_COOKIES": False,
            "RATELIMIT_ENABLED": False,
        }
    )
    with app.app_context():
        if url:
            db.drop_all()
        db.create_all()
        seed_routines()
        logins = make_demo(days)
        add_daily_checkins(logins["patient"][0], days)
    return app, logins


def after_checkin(args) -> None:
    """The dashboard right after a new check-in, at each length of history."""
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    rows = []
    for days in [int(d) for d in args.days.split(",")]:
        with tempfile.TemporaryDirectory() as folder:
            if args.http:
                samples = over_http(folder, args.database_url, days, args.requests)
            else:
                app, logins = history_app(folder, args.database_url, days)
                client = app.test_client()
                sign_in(client, *logins["patient"])
                samples = time_after_checkins(client, args.requests)
                close_database(app)
            rows.append((days, {key: percentiles(values) for key, values in samples.items()}))
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{args.requests} rounds of POST a check-in, GET /healthz, /learn, /dashboard; ms")
    print("ratios are of p95s: the dashboard's to /healthz's, and to /learn's\n")
    kinds = (("", "wall time"), (" cpu", "CPU time of the request's thread"))
    if args.http:
        kinds = (("", "over HTTP to gunicorn, one worker: wall time at the client"),)
    for kind, title in kinds:
        print(title)
        print(
            f"{'history':>8} {'healthz':>15} {'learn':>15} {'dashboard':>15} "
            f"{'/ healthz':>9} {'/ learn':>8}"
        )
        pair = f"{'p50 / p95':>15}"
        print(f"{'(days)':>8} {pair} {pair} {pair}")
        for days, fig in rows:
            cells = [
                "{:6.2f} / {:6.2f}".format(*fig[f"{page}{kind}"]) for page in AFTER_CHECKIN_PAGES
            ]
            health, learn, dashboard = (fig[f"{page}{kind}"][1] for page in AFTER_CHECKIN_PAGES)
            print(
                f"{days:>8,} {' '.join(cells)} {dashboard / health:8.1f}x {dashboard / learn:7.1f}x"
            )
        print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--days", default="1095")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--after-checkin", action="store_true")
    parser.add_argument("--http", action="store_true", help="with --after-checkin: over HTTP")
    args = parser.parse_args()
    if args.after_checkin:
        after_checkin(args)
        return
    args.days = int(args.days)
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{folder}/bench.sqlite"
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "SECURE_COOKIES": False})
        started = time.perf_counter()
        with app.app_context():
            db.create_all()
            seed_routines()
            logins = make_demo(args.days)
            add_daily_checkins(logins["patient"][0], args.days)
            from sqlalchemy import func, select

            from crampcare.models import Checkin, WorkoutSession

            checkins = db.session.scalar(select(func.count(Checkin.id)))
            sessions = db.session.scalar(select(func.count(WorkoutSession.id)))
        print(
            f"history: {args.days} days, {checkins} check-ins, {sessions} sessions "
            f"({time.perf_counter() - started:.1f} s to make), database {url.split(':')[0]}"
        )
        client = app.test_client()
        sign_in(client, *logins["patient"])
        samples = time_requests(client, TARGETS, args.requests)
        results = {
            (path, bool(headers)): percentiles(timings)
            for (path, headers), timings in zip(TARGETS, samples, strict=True)
        }
        health_p95 = results[("/healthz", False)][1]
        print(f"{args.requests} requests each; times in ms\n")
        print(f"{'URL':34} {'kind':9} {'p50':>7} {'p95':>7} {'p95/healthz':>12}")
        for (path, fragment), (p50, p95) in results.items():
            kind = "fragment" if fragment else "page"
            print(f"{path:34} {kind:9} {p50:7.2f} {p95:7.2f} {p95 / health_p95:11.1f}x")
        close_database(app)


if __name__ == "__main__":
    main()
