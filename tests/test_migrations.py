"""The schema comes only from migrations, and the migrations match the models."""

import uuid

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from crampcare import create_app
from crampcare.extensions import db

from .conftest import TEST_DATABASE_URL, with_search_path

pytestmark = pytest.mark.postgres


def _fresh_url(database_url: str, tmp_path) -> tuple[str, callable]:
    """An empty database for the migrations: a new file, or a new PostgreSQL schema."""
    if database_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'migrated.sqlite'}", lambda: None
    schema = f"crampcare_mig_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(TEST_DATABASE_URL)
    with engine.begin() as connection:
        connection.execute(sa.text(f"CREATE SCHEMA {schema}"))

    def drop():
        with engine.begin() as connection:
            connection.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()

    return with_search_path(TEST_DATABASE_URL, schema), drop


def test_migrations_match_the_models(database_url, tmp_path):
    url, cleanup = _fresh_url(database_url, tmp_path)
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
