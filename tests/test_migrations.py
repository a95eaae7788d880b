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
