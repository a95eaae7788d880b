"""A person's favourite routines

Revision ID: 6f0a1c9e4b26
Revises: 3c1f0a7d2b13
Created: 2026-11-26 02:40:00
"""

import sqlalchemy as sa
from alembic import op


revision = "6f0a1c9e4b26"
down_revision = "3c1f0a7d2b13"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "favourite_routines",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("routine_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["routine_id"], ["routines.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "routine_id"),
    )
    with op.batch_alter_table("favourite_routines", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_favourite_routines_routine_id"), ["routine_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("favourite_routines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_favourite_routines_routine_id"))
    op.drop_table("favourite_routines")
