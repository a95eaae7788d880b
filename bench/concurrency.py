"""Concurrent writers: gunicorn with 4 workers and 40 clients writing check-ins for 30 s.

    .venv/bin/python -m bench.concurrency [--clients 40] [--seconds 30] [--workers 4]

Runs on a fresh SQLite file by default; with TEST_DATABASE_URL set (PostgreSQL) it also runs
there, in a schema of its own. Prints throughput, latency and what was stored: no errors, no
"database is locked", and every acknowledged check-in stored exactly once. Loopback only;
every loop is bounded in time and count.
"""

import argparse
import os
import tempfile
import uuid

import sqlalchemy as sa

from bench.loadgen import Outcome, Patient, Server, percentile, prepare_database, write_checkins


def stored_once(database_url: str, outcome: Outcome) -> tuple[int, int, int]:
    """(rows, acknowledged, acknowledged rows missing or duplicated)."""
    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT client_id FROM checkins")).scalars().all()
    engine.dispose()
    counts: dict[str, int] = {}
    for client_id in rows:
        counts[client_id] = counts.get(client_id, 0) + 1
    wrong = sum(1 for client_id in outcome.acknowledged if counts.get(client_id) != 1)
    return len(rows), len(outcome.acknowledged), wrong


def run(database_url: str, label: str, clients: int, seconds: float, workers: int) -> None:
    """One run against one database; prints its figures."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": uuid.uuid4().hex,
        "SECURE_COOKIES": "0",
        # Every client signs up from 127.0.0.1, which the production limit (10 an hour per
        # address, per worker without Redis) refuses after the tenth.
        "REGISTER_LIMIT": f"{clients} per hour",
    }
    prepare_database(env)
    server = Server(env, workers=workers).start()
    try:
        patients = [
            Patient(server.port, f"load{i}@example.com", server.inbox) for i in range(clients)
        ]
        for patient in patients:
            patient.register()
        outcome = Outcome()
        write_checkins(patients, seconds, max_per_client=100_000, outcome=outcome)
    finally:
        server.stop()
    rows, acknowledged, wrong = stored_once(database_url, outcome)
    errors = {s: n for s, n in outcome.statuses.items() if s not in (200, 201)}
    print(f"\n{label}: {workers} workers, {clients} clients, {seconds:.0f} s")
    print(f"  acknowledged check-ins  {acknowledged} ({acknowledged / seconds:.0f}/s)")
    print(f"  rows stored             {rows}")
    print(f"  lost or duplicated      {wrong}")
    print(f"  non-2xx answers         {errors or 'none'}")
    print(f"  retries                 {outcome.retries}")
    print(
        f"  latency p50 / p95 / max {percentile(outcome.latencies, 0.5) * 1000:.0f} / "
        f"{percentile(outcome.latencies, 0.95) * 1000:.0f} / "
        f"{max(outcome.latencies, default=0) * 1000:.0f} ms"
    )


def main() -> None:
    """Parse the options and run on SQLite, then PostgreSQL when configured."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=40)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        run(f"sqlite:///{folder}/load.sqlite", "SQLite", args.clients, args.seconds, args.workers)
    postgres = os.environ.get("TEST_DATABASE_URL")
    if postgres:
        schema = f"crampcare_bench_{uuid.uuid4().hex[:8]}"
        engine = sa.create_engine(postgres)
        with engine.begin() as connection:
            connection.execute(sa.text(f"CREATE SCHEMA {schema}"))
        try:
            url = f"{postgres}{'&' if '?' in postgres else '?'}options=-csearch_path%3D{schema}"
            run(url, "PostgreSQL", args.clients, args.seconds, args.workers)
        finally:
            with engine.begin() as connection:
                connection.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
            engine.dispose()


if __name__ == "__main__":
    main()
