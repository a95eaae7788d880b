"""The schema comes only from migrations, and the migrations match the models."""

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from crampcare import create_app
from crampcare.extensions import db

from .conftest import fresh_database

pytestmark = pytest.mark.postgres


def test_migrations_match_the_models(database_url, tmp_path):
    url, cleanup = fresh_database(database_url, tmp_path)
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": url})
    try:
        with app.app_context():
            upgrade()
            with db.engine.connect() as connection:
                differences = compare_metadata(
                    MigrationContext.configure(connection, opts={"compare_type": True}),
                    db.metadata,
                )
            assert differences == []
            # And they unwind cleanly.
            downgrade(revision="base")
            tables = sa.inspect(db.engine).get_table_names()
            assert set(tables) <= {"alembic_version"}
            db.engine.dispose()
    finally:
        cleanup()


def _autoincrements(table: str) -> bool:
    sql = db.session.execute(
        sa.text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :name"),
        {"name": table},
    ).scalar()
    return "AUTOINCREMENT" in sql


def test_email_confirmation_counts_older_accounts_confirmed_and_unwinds(database_url, tmp_path):
    url, cleanup = fresh_database(database_url, tmp_path)
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": url})
    before = "8d2b6e1f0c17"
    made = "2026-01-02 03:04:05"
    try:
        with app.app_context():
            upgrade(revision=before)
            db.session.execute(
                sa.text(
                    "INSERT INTO users (email, password_hash, role, timezone, units,"
                    " takes_diuretics, conditions, created_at, account_secret) VALUES"
                    f" ('old@example.com', 'h', 'patient', 'UTC', 'ml', false, '[]', '{made}', 's')"
                )
            )
            db.session.commit()
            upgrade(revision="0b7d3e9a4c21")
            created, confirmed = db.session.execute(
                sa.text("SELECT created_at, email_confirmed_at FROM users")
            ).one()
            assert confirmed == created and confirmed is not None
            sqlite = db.engine.dialect.name == "sqlite"
            if sqlite:
                assert _autoincrements("users")
            db.session.commit()
            downgrade(revision=before)
            columns = {column["name"] for column in sa.inspect(db.engine).get_columns("users")}
            assert "email_confirmed_at" not in columns
            assert db.session.execute(sa.text("SELECT email FROM users")).scalar() == (
                "old@example.com"
            )
            if sqlite:
                assert _autoincrements("users")  # the copy a batch drop makes keeps it
            db.session.commit()
            db.session.remove()
            db.engine.dispose()
    finally:
        cleanup()
