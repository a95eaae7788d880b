"""Row ids are never reused on SQLite; each account has a random secret for its outbox tag

Revision ID: 5e1c0a7d2b14
Revises: 8b3f6a1d2c08
Created: 2026-11-26 02:45:00
"""

import secrets

import sqlalchemy as sa
from alembic import op


revision = "5e1c0a7d2b14"
down_revision = "8b3f6a1d2c08"
branch_labels = None
depends_on = None


def _tables_without_autoincrement(connection) -> list[str]:
    """SQLite tables with an integer primary key that may still reuse deleted ids."""
    rows = connection.execute(
        sa.text("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    )
    inspector = sa.inspect(connection)
    found = []
    for name, sql in rows:
        if name == "alembic_version" or "AUTOINCREMENT" in (sql or "").upper():
            continue
        if inspector.get_pk_constraint(name)["constrained_columns"] == ["id"]:
            found.append(name)
    return found


def upgrade():
    connection = op.get_bind()
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("account_secret", sa.String(length=64), nullable=True))
    users = sa.table("users", sa.column("id", sa.Integer), sa.column("account_secret", sa.String))
    for (user_id,) in connection.execute(sa.select(users.c.id)).all():
        connection.execute(
            users.update().where(users.c.id == user_id).values(account_secret=secrets.token_hex(16))
        )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.alter_column("account_secret", existing_type=sa.String(length=64), nullable=False)

    if connection.dialect.name == "sqlite":
        # The environment runs SQLite migrations with foreign keys off, so copying a
        # table into its new form cascades nothing.
        for name in _tables_without_autoincrement(connection):
            with op.batch_alter_table(
                name, recreate="always", table_kwargs={"sqlite_autoincrement": True}
            ):
                pass


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("account_secret")
