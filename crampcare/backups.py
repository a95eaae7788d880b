"""Consistent copies of the database while it serves, and restoring one into an empty one.

SQLite: the online backup API copies every page in one step under one read transaction,
so the copy is a single moment of the database; in WAL mode writers go on meanwhile.
PostgreSQL: `pg_dump` in custom format (a snapshot of one transaction) and `pg_restore`.
"""

import os
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url

# Tables that are bookkeeping, not data: an empty database may hold them.
BOOKKEEPING = {"alembic_version"}


class NotEmpty(Exception):
    """The restore target already holds data."""


class ToolMissing(Exception):
    """A PostgreSQL client program is not installed."""


def count_rows(connection: sa.Connection) -> dict[str, int]:
    """Rows in each table of the connection's current schema, by table name."""
    names = sorted(sa.inspect(connection).get_table_names())
    count = sa.select(sa.func.count())
    return {
        name: connection.execute(count.select_from(sa.table(name))).scalar_one() for name in names
    }


def row_counts(url: str | URL) -> dict[str, int]:
    """Rows in each table of the database at `url`."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return count_rows(connection)
    finally:
        engine.dispose()


def holds_data(url: str | URL) -> bool:
    """True when any table but the bookkeeping ones has a row."""
    return any(n for name, n in row_counts(url).items() if name not in BOOKKEEPING)


def backup(url: str, path: Path) -> dict[str, int]:
    """Write a consistent copy of the database at `url` to `path`; the copy's row counts."""
    parsed = make_url(url)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if parsed.get_backend_name() == "sqlite":
        return _backup_sqlite(parsed, path)
    if parsed.get_backend_name() == "postgresql":
        return _backup_postgres(parsed, path)
    raise ValueError(f"no backup for {parsed.get_backend_name()} databases")


def restore(url: str, path: Path, force: bool = False) -> dict[str, int]:
    """Restore the backup at `path` into the database at `url`; its row counts after.

    Refuses (NotEmpty) a database that holds data, unless `force`.
    """
    parsed = make_url(url)
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no backup at {path}")
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise ValueError(f"no restore for {backend} databases")
    if not force and _exists(parsed) and holds_data(url):
        raise NotEmpty("the database already holds data (use --force to replace it)")
    if backend == "sqlite":
        _restore_sqlite(parsed, path)
    else:
        _restore_postgres(parsed, path, force)
    return row_counts(url)


def _exists(url: URL) -> bool:
    if url.get_backend_name() == "sqlite":
        return bool(url.database) and Path(url.database).exists()
    return True


def _sqlite_connect(database: str) -> sqlite3.Connection:
    return sqlite3.connect(database, timeout=30, isolation_level=None)


def _backup_sqlite(url: URL, path: Path) -> dict[str, int]:
    # Write beside the target and rename: a reader never sees half a backup.
    fd, partial = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    os.close(fd)
    source = _sqlite_connect(url.database)
    target = _sqlite_connect(partial)
    try:
        source.backup(target)  # pages=-1: every page in one step, one read transaction
        # A backup is one self-contained file, not a WAL database that needs its -wal.
        target.execute("PRAGMA journal_mode=DELETE")
    finally:
        target.close()
        source.close()
    os.replace(partial, path)
    return row_counts(URL.create("sqlite", database=str(path)))


def _restore_sqlite(url: URL, path: Path) -> None:
    Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    source = _sqlite_connect(str(path))
    target = _sqlite_connect(url.database)
    try:
        # The backup API replaces every page of the target, in one transaction.
        source.backup(target)
        target.execute("PRAGMA journal_mode=WAL")
    finally:
        target.close()
        source.close()


def _libpq(url: URL) -> tuple[str, dict]:
    """A libpq connection URI for the client programs, with the password in the environment."""
    env = {**os.environ}
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _program(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise ToolMissing(f"{name} is not installed (Debian: postgresql-client)")
    return found


def _backup_postgres(url: URL, path: Path) -> dict[str, int]:
    libpq, env = _libpq(url)
    partial = path.with_name(f".{path.name}.partial")
    engine = sa.create_engine(url, isolation_level="REPEATABLE READ")
    try:
        with engine.connect() as connection:
            # Hold one snapshot: pg_dump reads it, and the counts below are of the same moment.
            snapshot = connection.execute(sa.text("SELECT pg_export_snapshot()")).scalar_one()
            schema = connection.execute(sa.text("SELECT current_schema()")).scalar_one()
            command = [_program("pg_dump"), "--format=custom", "--no-owner", "--no-privileges"]
            if schema != "public":
                # A database shared with other apps: only ours, the schema this URL works in.
                command.append(f"--schema={schema}")
            subprocess.run(
                [*command, f"--snapshot={snapshot}", f"--file={partial}", f"--dbname={libpq}"],
                env=env,
                check=True,
                capture_output=True,
            )
            counts = count_rows(connection)
    finally:
        engine.dispose()
    os.replace(partial, path)
    return counts


def _restore_postgres(url: URL, path: Path, force: bool) -> None:
    connection, env = _libpq(url)
    command = [
        _program("pg_restore"),
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        "--single-transaction",
    ]
    if force:
        command += ["--clean", "--if-exists"]
    subprocess.run(
        [*command, f"--dbname={connection}", str(path)], env=env, check=True, capture_output=True
    )
