"""Engine settings: SQLite tuned for concurrent writers, PostgreSQL as it comes."""

from sqlalchemy import event
from sqlalchemy.engine import Engine

# Connections carrying this execution option begin a plain deferred transaction:
# long reads (exports) must not hold SQLite's write lock.
READ_ONLY = {"crampcare_read_only": True}


def engine_options(database_url: str, busy_timeout_ms: int) -> dict:
    """Return create_engine keyword arguments for a database URL."""
    # An error's message never quotes the values of a statement: they are people's data.
    if database_url.startswith("sqlite"):
        # Seconds; sqlite3 then retries a locked database for this long.
        return {"connect_args": {"timeout": busy_timeout_ms / 1000}, "hide_parameters": True}
    return {"pool_pre_ping": True, "hide_parameters": True}


def configure_engine(engine: Engine, busy_timeout_ms: int) -> None:
    """Attach the per-connection SQLite settings: WAL, busy timeout, BEGIN IMMEDIATE."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy's "begin" event, not the driver, open transactions.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        # IMMEDIATE takes the write lock up front, so two writers queue on the busy
        # timeout instead of failing with "database is locked" when one upgrades.
        if connection.get_execution_options().get("crampcare_read_only"):
            connection.exec_driver_sql("BEGIN")
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
