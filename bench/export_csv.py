"""Benchmark: stream /export/me.csv for 1,000 and 100,000 check-ins; print time and memory.

Run with `.venv/bin/python bench/export_csv.py`. It prints figures and asserts nothing
about time; the goal (SPEC §11) is under 5 s for 100,000 rows with flat memory.
"""

import sys
import tempfile
import time
import tracemalloc
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert  # noqa: E402

from crampcare import create_app  # noqa: E402
from crampcare.extensions import db  # noqa: E402
from crampcare.models import Checkin, WorkoutSession  # noqa: E402

PASSWORD = "benchmark passphrase"
SIZES = (1_000, 100_000)


def make_app(directory: str):
    """An app on a fresh SQLite file in a temporary directory."""
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench",
            "DATABASE_URL": f"sqlite:///{directory}/bench.sqlite",
            "WTF_CSRF_ENABLED": False,
        }
    )
    with app.app_context():
        db.create_all()
    return app


def register(app, email: str):
    """A signed-in client of a new patient."""
    client = app.test_client()
    response = client.post(
        "/register",
        data={"email": email, "password": PASSWORD, "role": "patient", "timezone": "Europe/Paris"},
    )
    assert response.status_code == 303, response.status_code
    return client


def fill(app, email: str, count: int) -> None:
    """Bulk-insert `count` daily check-ins, every other one with a session."""
    from crampcare.models import User

    start = datetime(2020, 1, 1, 18, tzinfo=UTC)
    with app.app_context():
        user_id = db.session.query(User.id).filter_by(email=email).scalar()
        for first in range(0, count, 10_000):
            batch = range(first, min(first + 10_000, count))
            sessions = [
                {
                    "user_id": user_id,
                    "client_id": str(uuid.uuid4()),
                    "routine_slug": "gentle-lower-back",
                    "started_at": start + timedelta(hours=n),
                    "ended_at": start + timedelta(hours=n, minutes=9),
                    "steps_completed": 6,
                    "steps_total": 6,
                }
                for n in batch
                if n % 2 == 0
            ]
            db.session.execute(insert(WorkoutSession), sessions)
            db.session.execute(
                insert(Checkin),
                [
                    {
                        "user_id": user_id,
                        "client_id": str(uuid.uuid4()),
                        "recorded_at": start + timedelta(hours=n, minutes=10),
                        "recorded_offset_minutes": 60,
                        "cramp_severity": n % 4,
                        "cramp_timing": "after_stretch" if n % 4 else None,
                        "cramp_locations": ["lower_back_left"] if n % 4 else [],
                        "pain": n % 11,
                        "water_ml": 250 + (n % 8) * 100,
                        "electrolytes": ["sodium", "potassium"] if n % 3 == 0 else [],
                        "sweat": "moderate",
                        "exertion": 1 + n % 10,
                        "red_flags": [],
                        "notes": "=cells like this are neutralised" if n % 50 == 0 else "fine",
                    }
                    for n in batch
                ],
            )
            db.session.commit()


def stream(client) -> tuple[float, float, int, int]:
    """Wall and CPU seconds, body bytes and lines of one export, read chunk by chunk."""
    began, cpu_began = time.perf_counter(), time.process_time()
    response = client.get("/export/me.csv", buffered=False)
    size = lines = 0
    for chunk in response.iter_encoded():
        size += len(chunk)
        lines += chunk.count(b"\n")
    response.close()
    return time.perf_counter() - began, time.process_time() - cpu_began, size, lines


def measure(client) -> tuple[float, float, int, int, int]:
    """Seconds untraced, then peak traced bytes of a second run; body bytes and lines."""
    elapsed, cpu, size, lines = stream(client)
    # tracemalloc slows Python down several times, so memory has a run of its own.
    tracemalloc.start()
    stream(client)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return elapsed, cpu, peak, size, lines


def main() -> None:
    """Run both sizes and print a table of figures."""
    # CPU seconds alongside wall seconds: on a busy machine the wall clock overstates.
    print(f"{'rows':>8} {'wall s':>8} {'cpu s':>8} {'rows/s':>9} {'peak MiB':>9} {'body MiB':>9}")
    for count in SIZES:
        with tempfile.TemporaryDirectory() as directory:
            app = make_app(directory)
            email = f"bench-{count}@example.com"
            client = register(app, email)
            fill(app, email, count)
            elapsed, cpu, peak, size, lines = measure(client)
            assert lines == count + 1, (lines, count)
            print(
                f"{count:>8} {elapsed:>8.2f} {cpu:>8.2f} {count / elapsed:>9.0f}"
                f" {peak / 2**20:>9.2f} {size / 2**20:>9.2f}"
            )
            with app.app_context():
                db.engine.dispose()


if __name__ == "__main__":
    main()
