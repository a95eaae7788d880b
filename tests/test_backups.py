"""Backups while the app serves writes, and restores that give back every row.

The drill runs real gunicorn servers with writers, backs up through the CLI mid-stream,
restores into a new database, and compares every table row by row.
"""

import os
import re
import threading
import time
import uuid
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from bench.loadgen import Outcome, Patient, Server, write_checkins
from crampcare import create_app
from crampcare.extensions import db

from .conftest import TEST_DATABASE_URL

# Columns that only grow while people write: a restored row may hold an earlier value.
GROWING = {("users", "data_version")}
COUNT_LINE = re.compile(r"^\s+(\w+)\s+([\d,]+) rows$", re.MULTILINE)


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str


def flask(env: dict, *args: str) -> Ran:
    """Run `flask --app app ARGS` for the app on env's database, as the CLI would."""
    app = create_app({"SECRET_KEY": env["SECRET_KEY"], "DATABASE_URL": env["DATABASE_URL"]})
    try:
        result = app.test_cli_runner().invoke(args=list(args))
    finally:
        with app.app_context():
            db.engine.dispose()
    return Ran(result.exit_code, result.stdout, result.stderr)


def migrate_and_seed(env: dict) -> None:
    """The schema by its migrations and the routine library, as `make run` makes them."""
    for command in (("db", "upgrade"), ("seed",)):
        ran = flask(env, *command)
        assert ran.returncode == 0, ran.stderr


def printed_counts(output: str) -> dict[str, int]:
    """The per-table row counts a backup or restore printed."""
    return {
        table: int(rows.replace(",", ""))
        for table, rows in COUNT_LINE.findall(output)
        if table != "total"
    }


class Databases:
    """Fresh source and target databases of one kind; dropped afterwards."""

    def __init__(self, kind: str, tmp_path):
        self.kind = kind
        self.tmp_path = tmp_path
        self.cleanups = []

    def new(self, name: str) -> str:
        if self.kind == "sqlite":
            return f"sqlite:///{self.tmp_path / f'{name}.sqlite'}"
        # A database of its own, so a restore can recreate the source's schema name.
        database = f"crampcare_{name}_{uuid.uuid4().hex[:8]}"
        admin = sa.create_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(sa.text(f"CREATE DATABASE {database}"))

        def drop():
            with admin.connect() as connection:
                connection.execute(sa.text(f"DROP DATABASE {database} WITH (FORCE)"))
            admin.dispose()

        self.cleanups.append(drop)
        return (
            sa.engine.make_url(TEST_DATABASE_URL)
            .set(database=database)
            .render_as_string(hide_password=False)
        )

    def close(self):
        for cleanup in reversed(self.cleanups):
            cleanup()


@pytest.fixture(params=["sqlite", "postgresql"])
def databases(request, tmp_path):
    if request.param == "postgresql" and not TEST_DATABASE_URL:
        pytest.skip("PostgreSQL runs need TEST_DATABASE_URL")
    made = Databases(request.param, tmp_path)
    yield made
    made.close()


def environment(url: str) -> dict:
    return {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "drill", "SECURE_COOKIES": "0"}


def every_row(url: str) -> dict[str, dict[tuple, dict]]:
    """Every row of every table, keyed by primary key."""
    engine = sa.create_engine(url)
    metadata = sa.MetaData()
    metadata.reflect(engine)
    rows = {}
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            key = [column.name for column in table.primary_key.columns] or [
                column.name for column in table.columns
            ]
            rows[table.name] = {
                tuple(row[name] for name in key): dict(row)
                for row in connection.execute(sa.select(table)).mappings()
            }
    engine.dispose()
    return rows


def test_backup_and_restore_from_the_command_line(databases, tmp_path):
    source = environment(databases.new("source"))
    migrate_and_seed(source)
    backup_file = tmp_path / "nightly" / "crampcare.backup"

    made = flask(source, "backup", str(backup_file))
    assert made.returncode == 0, made.stderr
    assert f"Backed up to {backup_file}" in made.stdout
    counts = printed_counts(made.stdout)
    assert counts["routines"] >= 8
    assert counts["users"] == 0

    target = environment(databases.new("target"))
    restored = flask(target, "restore", str(backup_file))
    assert restored.returncode == 0, restored.stderr
    assert printed_counts(restored.stdout) == counts

    # The target now holds data: a second restore is refused and changes nothing.
    again = flask(target, "restore", str(backup_file))
    assert again.returncode != 0
    assert "already holds data" in again.stderr
    assert every_row(target["DATABASE_URL"]) == every_row(source["DATABASE_URL"])

    forced = flask(target, "restore", "--force", str(backup_file))
    assert forced.returncode == 0, forced.stderr
    assert printed_counts(forced.stdout) == counts


def test_restore_refuses_a_missing_backup(databases, tmp_path):
    target = environment(databases.new("target"))
    result = flask(target, "restore", str(tmp_path / "nothing-here"))
    assert result.returncode != 0
    assert "does not exist" in result.stderr


@pytest.mark.slow
def test_restore_drill_under_load(databases, tmp_path):
    source = environment(databases.new("source"))
    migrate_and_seed(source)
    server = Server(source, workers=2).start()
    patients = [Patient(server.port, f"drill{i}@example.com", server.inbox) for i in range(4)]
    for patient in patients:
        patient.register()
    outcome, stop = Outcome(), threading.Event()
    writers = threading.Thread(
        target=write_checkins,
        kwargs={
            "patients": patients,
            "seconds": 60,
            "max_per_client": 10_000,
            "outcome": outcome,
            "stop": stop,
        },
    )
    writers.start()
    try:
        deadline = time.monotonic() + 30
        while len(outcome.acknowledged) < 20 and time.monotonic() < deadline:
            time.sleep(0.02)
        with outcome.lock:
            acknowledged_before = set(outcome.acknowledged)
        backup_file = tmp_path / "drill.backup"
        made = flask(source, "backup", str(backup_file))
        assert made.returncode == 0, made.stderr
        # Writes go on after the backup too; then the writers stop.
        target_count = len(outcome.acknowledged) + 10
        while len(outcome.acknowledged) < target_count and time.monotonic() < deadline + 30:
            time.sleep(0.02)
    finally:
        stop.set()
        writers.join(timeout=120)
        server.stop()
    acknowledged = set(outcome.acknowledged)
    assert len(acknowledged_before) >= 20

    target = environment(databases.new("restored"))
    restored = flask(target, "restore", str(backup_file))
    assert restored.returncode == 0, restored.stderr
    counts = printed_counts(made.stdout)
    assert printed_counts(restored.stdout) == counts

    original, copy = every_row(source["DATABASE_URL"]), every_row(target["DATABASE_URL"])
    assert set(copy) == set(original)
    for table, rows in copy.items():
        assert len(rows) == counts[table], table
        for key, row in rows.items():
            assert key in original[table], f"{table} {key} is not in the source"
            for column, value in row.items():
                if (table, column) in GROWING:
                    assert value <= original[table][key][column]
                else:
                    assert value == original[table][key][column], (table, key, column)
    # A single moment: everything acknowledged before the backup began, nothing never sent.
    stored = {row["client_id"] for row in copy["checkins"].values()}
    assert acknowledged_before <= stored <= acknowledged
    assert len(original["checkins"]) > len(copy["checkins"]), "writes went on after the backup"
