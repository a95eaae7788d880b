"""The clinician's patient list at 10, 100 and 1,000 sharing patients, on PostgreSQL.

Each patient has 90 days of made-up history (the demo's). The list is asked for N times
through the WSGI app in this process, interleaved with /healthz; prints wall and CPU time
(p50 and p95, ms), the ratio of its p95 to /healthz's, the SQL statements one request
runs, and the time per patient listed.

Run: .venv/bin/python -m bench.patient_list [--patients 10,100,1000] [--requests 40]
     [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test]
The benchmark works in a schema of its own, dropped at the end.
"""

import argparse
import os
import re
import secrets
import sys
import time
from datetime import timedelta
from pathlib import Path
from statistics import quantiles

from sqlalchemy import create_engine, event, insert, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crampcare import create_app  # noqa: E402
from crampcare.demo import replace_history  # noqa: E402
from crampcare.extensions import db  # noqa: E402
from crampcare.models import Share, User, utcnow  # noqa: E402
from crampcare.passwords import hash_password  # noqa: E402
from crampcare.seed import seed_routines  # noqa: E402

SCHEMA = "bench_patient_list"
PASSWORD = "bench-password-1"


def percentiles(samples: list[float]) -> tuple[float, float]:
    cuts = quantiles(samples, n=100, method="inclusive")
    return cuts[49], cuts[94]


def in_schema(url: str) -> str:
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}options=-csearch_path%3D{SCHEMA}"


def reset_schema(url: str, create: bool) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        if create:
            connection.execute(text(f"CREATE SCHEMA {SCHEMA}"))
    engine.dispose()


def populate(patients: int) -> None:
    """A clinician and `patients` patients sharing with them, each with 90 days of history."""
    digest = hash_password(PASSWORD)
    now = utcnow()
    clinician = User(email="doc@example.com", role="clinician", timezone="UTC")
    clinician.password_hash = digest
    clinician.email_confirmed_at = now
    db.session.add(clinician)
    ids = db.session.scalars(
        insert(User).returning(User.id),
        [
            {
                "email": f"patient{n}@example.com",
                "role": "patient",
                "timezone": "Europe/London",
                "password_hash": digest,
                "email_confirmed_at": now,
            }
            for n in range(patients)
        ],
    ).all()
    db.session.flush()
    for n, patient_id in enumerate(ids):
        replace_history(patient_id, "Europe/London", 90, now, seed=n)
    db.session.execute(
        insert(Share),
        [
            {
                "patient_id": patient_id,
                "clinician_id": clinician.id,
                "code": secrets.token_hex(4).upper(),
                "expires_at": now + timedelta(days=7),
                "redeemed_at": now,
            }
            for patient_id in ids
        ],
    )
    db.session.commit()


def sign_in(client) -> None:
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    response = client.post(
        "/login",
        data={"email": "doc@example.com", "password": PASSWORD, "csrf_token": token},
    )
    assert response.status_code in (302, 303), response.status_code


def measure(app, client, requests: int) -> dict:
    samples = {key: [] for key in ("healthz", "list", "healthz cpu", "list cpu")}
    statements = []
    with app.app_context():
        engine = db.engine
    for round_number in range(requests + 3):
        for name, path in (("healthz", "/healthz"), ("list", "/clinician/patients")):
            seen = []

            def count(*_args, seen=seen):
                seen.append(1)

            event.listen(engine, "before_cursor_execute", count)
            start, cpu = time.perf_counter(), time.thread_time()
            response = client.get(path)
            body = response.get_data()
            wall, cpu = time.perf_counter() - start, time.thread_time() - cpu
            event.remove(engine, "before_cursor_execute", count)
            assert response.status_code == 200, (path, response.status_code)
            if round_number >= 3:
                samples[name].append(wall * 1000)
                samples[f"{name} cpu"].append(cpu * 1000)
                if name == "list":
                    statements.append(len(seen))
    return {
        **{key: percentiles(values) for key, values in samples.items()},
        "statements": max(statements),
        "bytes": len(body),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--patients", default="10,100,1000")
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
        ),
    )
    args = parser.parse_args()
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    rows = []
    for patients in [int(n) for n in args.patients.split(",")]:
        reset_schema(args.database_url, create=True)
        app = create_app(
            {
                "DATABASE_URL": in_schema(args.database_url),
                "SECRET_KEY": "bench",
                "SECURE_COOKIES": False,
                "RATELIMIT_ENABLED": False,
            }
        )
        with app.app_context():
            db.create_all()
            seed_routines()
            populate(patients)
            listed = db.session.scalar(select(db.func.count(Share.id)))
        client = app.test_client()
        sign_in(client)
        rows.append((listed, measure(app, client, args.requests)))
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    reset_schema(args.database_url, create=False)
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{args.requests} requests each, PostgreSQL; times in ms\n")
    print(
        f"{'patients':>8} {'healthz p95':>11} {'list p50':>9} {'list p95':>9} {'ratio':>6} "
        f"{'CPU p50':>8} {'CPU p95':>8} {'CPU/patient':>11} {'SQL':>4} {'bytes':>9}"
    )
    for patients, fig in rows:
        (_h50, h95), (l50, l95), (c50, c95) = fig["healthz"], fig["list"], fig["list cpu"]
        print(
            f"{patients:>8,} {h95:11.2f} {l50:9.2f} {l95:9.2f} {l95 / h95:5.1f}x "
            f"{c50:8.2f} {c95:8.2f} {c50 / patients:11.3f} {fig['statements']:>4} "
            f"{fig['bytes']:>9,}"
        )


if __name__ == "__main__":
    main()
