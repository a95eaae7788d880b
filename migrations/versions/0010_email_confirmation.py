"""Accounts confirm their email address before the first sign-in

Revision ID: 0b7d3e9a4c21
Revises: 8d2b6e1f0c17
Created: 2026-11-27 09:10:00
"""

import sqlalchemy as sa
from alembic import op


revision = "0b7d3e9a4c21"
down_revision = "8d2b6e1f0c17"
branch_labels = None
depends_on = None

# Should SQLite copy the table (a batch drop does), the copy keeps AUTOINCREMENT:
# ids are never reused after a deletion (migration 0005).
KEEP_IDS = {"sqlite_autoincrement": True}


def upgrade():
    with op.batch_alter_table("users", schema=None, table_kwargs=KEEP_IDS) as batch_op:
        batch_op.add_column(
            sa.Column("email_confirmed_at", sa.DateTime(timezone=True), nullable=True)
        )
    # Accounts from before this step signed in without one: they count as confirmed
    # since the day they were made.
    users = sa.table(
        "users",
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("email_confirmed_at", sa.DateTime(timezone=True)),
    )
    op.execute(users.update().values(email_confirmed_at=users.c.created_at))


def downgrade():
    with op.batch_alter_table("users", schema=None, table_kwargs=KEEP_IDS) as batch_op:
        batch_op.drop_column("email_confirmed_at")
