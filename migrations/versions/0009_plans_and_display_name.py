"""Home programmes (plans) set by clinicians, and the name a patient gives

Revision ID: 8d2b6e1f0c17
Revises: 5e1c0a7d2b14
Created: 2026-11-26 03:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "8d2b6e1f0c17"
down_revision = "5e1c0a7d2b14"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("display_name", sa.String(length=100), server_default="", nullable=False)
        )
    op.create_table(
        "plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("clinician_id", sa.Integer(), nullable=True),
        sa.Column("routine_id", sa.Integer(), nullable=False),
        sa.Column("sessions_per_week", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["clinician_id"], ["users.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["patient_id"], ["users.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["routine_id"], ["routines.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        # Ids are never reused after a deletion (migration 0005 did this for older tables).
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.create_index("ix_plans_patient_id", ["patient_id"], unique=False)
        batch_op.create_index("ix_plans_clinician_id", ["clinician_id"], unique=False)


def downgrade():
    op.drop_table("plans")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("display_name")
